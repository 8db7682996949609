//! Entry point of the web app: mounts the console.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(nats_console_web::App);
}
