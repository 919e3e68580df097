#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ seeds from ../shared/realdata/, fixtures/ and
sim/scenarios/. Re-run after adding realdata; the seeds are committed."""
import base64, glob, hashlib, json, os, re, struct, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.environ.get("REALDATA", os.path.join(ROOT, "..", "..", "shared", "realdata"))
if not os.path.isdir(REAL):
    REAL = "/work/shared/realdata"
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def frame(body, version=1, message=8):
    return struct.pack("<IIII", len(body) + 16, version, message, 1) + body


def xml_plist(inner):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n%s\n</plist>\n' % inner).encode()


def to_xml(v):
    if isinstance(v, bool):
        return "<true/>" if v else "<false/>"
    if isinstance(v, int):
        return "<integer>%d</integer>" % v
    if isinstance(v, float):
        return "<real>%r</real>" % v
    if isinstance(v, str):
        return "<string>%s</string>" % v.replace("&", "&amp;").replace("<", "&lt;")
    if isinstance(v, list):
        return "<array>%s</array>" % "".join(to_xml(x) for x in v)
    if isinstance(v, dict):
        if set(v) == {"$data"}:
            return "<data>%s</data>" % v["$data"]
        return "<dict>%s</dict>" % "".join("<key>%s</key>%s" % (k, to_xml(x)) for k, x in v.items())
    return "<string/>"


plists = []
# XML plists quoted in realdata captures
for path in sorted(glob.glob(os.path.join(REAL, "*.txt"))):
    text = open(path, encoding="utf-8", errors="replace").read()
    for m in re.finditer(r"<\?xml.*?</plist>", text, re.S):
        plists.append(m.group(0).encode())
    if path.endswith(".b64.txt"):
        plists.append(base64.b64decode("".join(text.split())))
plists.append(xml_plist("<dict><key>DeviceList</key><array/></dict>"))
# the backups fixtures' metadata files (Info/Status/Manifest.plist)
for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "backup-folders", "*", "*", "*.plist"))):
    data = open(path, "rb").read()
    if data:
        plists.append(data)

# usbmuxd ListDevices replies from the simulator's scenarios (values from realdata)
lists = []
for path in sorted(glob.glob(os.path.join(ROOT, "sim", "scenarios", "*.json"))):
    sc = json.load(open(path))
    entries = []
    for i, d in enumerate(sc.get("devices", [])):
        props = {"ConnectionType": d.get("connection", "USB"), "DeviceID": i + 1,
                 "SerialNumber": d.get("udid", "")}
        for k, key in (("product_id", "ProductID"), ("location_id", "LocationID"), ("speed", "ConnectionSpeed")):
            if d.get(k) is not None:
                props[key] = d[k]
        entries.append({"DeviceID": i + 1, "MessageType": "Attached", "Properties": props})
    lists.append(xml_plist(to_xml({"DeviceList": entries})))
    for v in (d.get("values") or {} for d in sc.get("devices", [])):
        if v:
            plists.append(xml_plist(to_xml(v)))

for p in lists + plists:
    put("usbmux_frame", frame(p))
put("usbmux_frame", frame(xml_plist("<dict><key>BUID</key><string>00000000-0000-0000-0000-000000000000</string></dict>")) * 2)
put("usbmux_frame", frame(b"", version=0, message=1))
for p in plists + lists:
    put("backup_plist", p)

# lockdownd answers: 4-byte big-endian length + plist, alone and in threes
def be_frame(body):
    return struct.pack(">I", len(body)) + body
answers = [xml_plist(to_xml(d)) for d in (
    {"Request": "QueryType", "Type": "com.apple.mobile.lockdown"},
    {"Request": "GetValue", "Value": {"ProductType": "iPhone10,3", "ProductVersion": "16.7.2"}},
    {"Request": "StartSession", "Error": "InvalidHostID"},
    {"Request": "Pair", "Error": "PairingDialogResponsePending"},
    {"Request": "StartSession", "SessionID": "00000000-0000-0000-0000-000000000000", "EnableSessionSSL": True},
)] + plists
for a in answers:
    put("lockdown_frame", be_frame(a))
put("lockdown_frame", b"".join(be_frame(a) for a in answers[:3]))

for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "*.json"))):
    put("snapshot_load", open(path, "rb").read())

explain = ["trust.reset-on-device", "0xE8000084", "-402620383", "MBErrorDomain 208", "error 54",
           "error -21", "kAMDMuxConnectError", "The iPhone could not be backed up"]
for path in sorted(glob.glob(os.path.join(REAL, "*.txt"))):
    for line in open(path, encoding="utf-8", errors="replace"):
        if re.search(r"err|fail|could not", line, re.I) and 8 < len(line) < 300:
            explain.append(line.strip())
for e in explain[:400]:
    put("explain", e)

for a in ["UNIX:/var/run/usbmuxd", "/var/run/usbmuxd", "127.0.0.1:27015", "[::1]:27015",
          "tcp:localhost:5000", "unix:", "host:0", "./sock"]:
    put("mux_address", a)

for t in sorted(os.listdir(CORPUS)):
    print(t, len(os.listdir(os.path.join(CORPUS, t))))
