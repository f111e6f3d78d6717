//! libwasi_nn_backend_armnn.so
