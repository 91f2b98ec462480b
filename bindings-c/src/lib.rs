//! snowid binding for c (being built).
