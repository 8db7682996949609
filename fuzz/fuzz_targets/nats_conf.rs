//! The NATS configuration format (what nats-console, nats-server and nats-account-server read):
//! any text gives entries or an error naming a line, never a panic or a stack overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../backend/src/config/conf.rs"]
mod conf;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut no_includes = |_: &str, line: usize| {
        Err(conf::ConfError {
            file: "fuzz.conf".into(),
            line,
            message: "no includes here".into(),
        })
    };
    if let Err(e) = conf::parse_str(text, std::path::Path::new("fuzz.conf"), &mut no_includes) {
        assert!(e.line >= 1, "{e}");
    }
});
