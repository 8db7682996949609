//! Entry point of the web app: mounts the console.

mod console_pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| {
        leptos::view! { <nats_console_web::App page_view=console_pages::view_of/> }
    });
}
