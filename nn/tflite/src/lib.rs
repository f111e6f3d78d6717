//! libwasi_nn_backend_tflite.so
