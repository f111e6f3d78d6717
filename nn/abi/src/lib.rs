//! The wasi-nn backend ABI (see nn/include/wasi_nn_backend.h).
