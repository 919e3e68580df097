/*
 * A stand-in for Windows' bcryptprimitives.dll, for running the Windows
 * build under Wine 8 (Debian 12), which lacks it. Rust's std (1.78+) imports
 * ProcessPrng from it for its random numbers (HashMap seeds); without the
 * DLL the program does not start. This forwards to RtlGenRandom
 * (advapi32's SystemFunction036), which Wine has. Test harness only: built
 * by tests/wine_e2e.rs with x86_64-w64-mingw32-gcc and placed beside the exe
 * inside the temporary Wine prefix. Never shipped.
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *RtlGenRandomFn)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    static RtlGenRandomFn gen;
    if (!gen) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (!advapi)
            return FALSE;
        gen = (RtlGenRandomFn)(void *)GetProcAddress(advapi, "SystemFunction036");
        if (!gen)
            return FALSE;
    }
    while (len > 0) {
        ULONG chunk = len > 0x7fffffffu ? 0x7fffffffu : (ULONG)len;
        if (!gen(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
