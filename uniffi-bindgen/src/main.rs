//! `uniffi-bindgen`, built from the workspace so that the generator and the library always use
//! the same uniffi version. Usage (library mode):
//! `uniffi-bindgen generate <libportail_uniffi.so> --language kotlin --out-dir <dir> --no-format`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
