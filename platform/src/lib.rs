//! Ember's OS layer for embedded Linux (memory, clocks, files, dynamic loading).

pub mod dynlib;
