//! Device simulator (see issue 4).
