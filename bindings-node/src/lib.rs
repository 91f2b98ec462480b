//! snowid binding for node (being built).
