//! The scripts that hydrate a page, in place of Leptos' `HydrationScripts`.
//!
//! Leptos 0.8.23 writes the CSP nonce into the `crossorigin` attribute of its
//! two resource hints (`crossorigin="<nonce>"`, `leptos/src/hydration/mod.rs`),
//! which is not a valid value: browsers fall back to `anonymous`, and every
//! page fails an HTML validity check. This component sends the same hints with
//! that value written out, and the same start-up: load the JS glue, instantiate
//! the WASM, hydrate. Nothing here is needed for the page to work: without
//! JavaScript the page is already whole (see `form_flash`).

use leptos::config::LeptosOptions;
use leptos::nonce::use_nonce;
use leptos::prelude::*;

/// Where the JS glue and the WASM bundle are served, as cargo-leptos names them.
fn bundle_paths(options: &LeptosOptions) -> (String, String) {
    let pkg = format!("/{}", options.site_pkg_dir);
    let name = options.output_name.to_string();
    // cargo-leptos renames `<name>_bg.wasm` to `<name>.wasm` when it builds the site.
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { name.clone() } else { format!("{name}_bg") };
    (format!("{pkg}/{name}.js"), format!("{pkg}/{wasm}.wasm"))
}

#[component]
pub fn HydrationScripts(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = bundle_paths(&options);
    let start = format!("import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => m.hydrate()));");
    view! {
        <link rel="modulepreload" href=js crossorigin="anonymous"/>
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="anonymous"/>
        <script type="module" nonce=use_nonce()>{start}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_found_where_cargo_leptos_puts_it() {
        let options = LeptosOptions::builder().output_name("portal").site_pkg_dir("pkg").build();
        let (js, wasm) = bundle_paths(&options);
        assert_eq!(js, "/pkg/portal.js");
        assert!(wasm == "/pkg/portal.wasm" || wasm == "/pkg/portal_bg.wasm", "{wasm}");
    }
}
