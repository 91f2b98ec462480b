//! snowid binding for python (being built).
