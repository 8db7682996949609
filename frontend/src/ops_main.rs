//! Entry point of the ops bundle (`/ops/`): mounts the dashboard.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(nats_console_web::ops::OpsApp);
}
