//! The process default generator (`snowid::default`), the one every binding
//! uses. Its own test binary with ONE test: the default is process-global.

use snowid::{default, options::GeneratorOptions, Layout};

#[test]
fn configure_layout_reconfigure_and_clean_exit() {
    let state = std::env::temp_dir().join(format!("snowid-default-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    for (k, _) in std::env::vars() {
        if k.starts_with("SNOWID_") {
            std::env::remove_var(&k);
        }
    }
    std::env::set_var("SNOWID_STATE_DIR", &state);
    std::env::set_var("SNOWID_HOST_LOCK_DIR", "off");

    // inspect() without a layout follows SNOWID_LAYOUT (padded, any case).
    assert_eq!(default::layout().unwrap().name(), "twitter");
    std::env::set_var("SNOWID_LAYOUT", " Discord ");
    assert_eq!(default::layout().unwrap().name(), "discord");
    std::env::set_var("SNOWID_LAYOUT", "snowflake");
    let e = default::layout().unwrap_err();
    assert!(
        e.code() == "INVALID_SETTING" && e.to_string().contains("SNOWID_LAYOUT"),
        "{e}"
    );
    std::env::remove_var("SNOWID_LAYOUT");

    // configure(): validated at once, with the core's codes.
    let bad = GeneratorOptions::new()
        .with("worker", -1)
        .with("datacenter", 0);
    assert_eq!(
        default::configure(bad).unwrap_err().code(),
        "FIELD_OUT_OF_RANGE"
    );
    let opts = || {
        GeneratorOptions::new()
            .with("layout", "discord")
            .with("worker", 3)
            .with("process", 1)
    };
    default::configure(opts()).unwrap();
    assert_eq!(default::layout().unwrap().name(), "discord");
    assert_eq!(default::source(), None, "created on first use");
    // ready() reaches it as the first ID would (creating it), issuing nothing.
    default::ready().unwrap();
    assert!(default::source().unwrap().contains("worker=3"));
    assert_eq!(default::stats().issued, 0, "ready() issues nothing");
    let a = default::next_id().unwrap();
    let b = default::next_id().unwrap();
    assert!(b > a);
    let parts = Layout::discord().decode(b).unwrap();
    assert_eq!(&parts.nodes[..2], &[3, 1]);
    assert!(default::source().unwrap().contains("worker=3"));
    assert_eq!(default::stats().issued, 2);

    // The same settings again: fine. Others after IDs were issued: refused,
    // naming what differs.
    default::configure(opts()).unwrap();
    let e = default::configure(opts().with("max_borrow_ticks", 2)).unwrap_err();
    assert_eq!(e.code(), "INVALID_SETTING");
    assert!(e.to_string().contains("max_borrow_ticks"), "{e}");
    assert!(e.to_string().len() < 400, "short: {e}");

    // Explicit numbers are locked: a second generator with them is refused.
    let e = opts().build().unwrap_err();
    assert_eq!(e.code(), "NODE_IN_USE");

    // A clean exit lowers the mark to the last tick issued.
    default::shutdown();
    let l = Layout::discord();
    let mark = state
        .join(l.id_space())
        .join(format!("slot-{}.mark", l.slot_of(&[3, 1])));
    let text = std::fs::read_to_string(&mark).unwrap();
    let tick: u64 = text
        .lines()
        .find_map(|x| x.strip_prefix("tick "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(tick, l.decode(b).unwrap().tick);
    // And the default keeps working afterwards.
    assert!(default::next_id().unwrap() > b);
    let _ = std::fs::remove_dir_all(&state);
}
