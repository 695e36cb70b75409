//! The Members page journey (to be written).
