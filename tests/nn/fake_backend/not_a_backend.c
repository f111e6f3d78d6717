/* TEST FIXTURE: a shared library that is not a wasi-nn backend (no ember_nn_backend_entry). */
int ember_nn_fixture_not_a_backend(void) {
    return 42;
}
