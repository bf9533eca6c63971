fn main() {
    // `napi build` (Node binding, core feature `napi`) collects the typings of every crate with
    // `#[napi]` items while compiling it, and forces that compilation through this variable; a
    // core compiled earlier by a plain `cargo build` would otherwise be reused and its
    // interfaces dropped from `bindings-node/index.d.ts`.
    println!("cargo::rerun-if-env-changed=NAPI_FORCE_BUILD_PORTAIL");
    println!("cargo::rerun-if-env-changed=NAPI_TYPE_DEF_TMP_FOLDER");
}
