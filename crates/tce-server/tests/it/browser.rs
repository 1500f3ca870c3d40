//! The dashboard in a real browser: the server on a free loopback port over
//! the test workspace, headless Chromium signing in with a token and opening
//! every page. Each page must show its heading and charts with data points,
//! and the browser must log no console error (a blocked resource, a CSP
//! violation, a script error). Screenshots go to
//! `<target>/browser-screenshots/` as test output.
//!
//! Needs Debian's Chromium (`apt-get install -y chromium`); without it the
//! test fails and says so. `CHROMIUM=/path/to/chrome` picks another binary.

use crate::common::*;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("CHROMIUM") {
        return PathBuf::from(p);
    }
    for p in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if std::path::Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!(
        "the browser test needs Chromium: install it with `apt-get install -y chromium` \
         (Debian's package), or point CHROMIUM at a Chrome/Chromium binary"
    );
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

fn eval_usize(tab: &Tab, js: &str) -> usize {
    tab.evaluate(js, false)
        .expect("evaluate")
        .value
        .and_then(|v| v.as_u64())
        .unwrap_or(0) as usize
}

fn eval_string(tab: &Tab, js: &str) -> String {
    tab.evaluate(js, false)
        .expect("evaluate")
        .value
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn shoot(tab: &Tab, dir: &std::path::Path, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

#[test]
fn every_page_in_headless_chromium() {
    let path = chromium();
    let t = test_app();
    let state = t.state.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(tce_server::serve_on(listener, state, async {
        let _ = stopped.await;
    }));
    let base = format!("http://{addr}");

    let browser = Browser::new(LaunchOptions {
        headless: true,
        sandbox: false,
        path: Some(path),
        window_size: Some((1440, 1000)),
        idle_browser_timeout: Duration::from_secs(120),
        ..LaunchOptions::default()
    })
    .expect("launch chromium");
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(30));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&errors);
    tab.enable_log().expect("log");
    tab.enable_runtime().expect("runtime domain");
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let message = match event {
            Event::LogEntryAdded(e) if format!("{:?}", e.params.entry.level) == "Error" => Some(
                format!("log: {} ({:?})", e.params.entry.text, e.params.entry.url),
            ),
            Event::RuntimeConsoleAPICalled(e) if format!("{:?}", e.params.Type) == "Error" => {
                Some(format!("console.error: {:?}", e.params.args))
            }
            Event::RuntimeExceptionThrown(e) => {
                Some(format!("exception: {}", e.params.exception_details.text))
            }
            _ => None,
        };
        if let Some(m) = message {
            if let Ok(mut v) = sink.lock() {
                v.push(m);
            }
        }
    }))
    .expect("listener");
    let shots = screenshot_dir();

    // Sign in through the form.
    tab.navigate_to(&format!("{base}/login"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    assert_eq!(
        eval_string(&tab, "document.querySelector('h1').textContent"),
        "Sign in"
    );
    shoot(&tab, &shots, "00-sign-in");
    tab.wait_for_element("input[name=token]")
        .expect("token field")
        .click()
        .expect("focus");
    tab.type_str(&t.tokens.analyst).expect("type");
    tab.wait_for_element("button[type=submit]")
        .expect("submit")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("signed in");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        eval_string(&tab, "document.querySelector('h1').textContent"),
        "Overview"
    );

    let pages = [
        ("/", "Overview", "01-overview"),
        ("/journey", "Journey map", "02-journey"),
        ("/channels", "Channel influence", "03-channels"),
        ("/benchmark", "Benchmark", "04-benchmark"),
        ("/quadrant", "Importance–performance", "05-quadrant"),
        ("/allocation", "Allocation planner", "06-allocation"),
        ("/finance", "Finance", "07-finance"),
        ("/signals", "Signals explorer", "08-signals"),
        (
            "/signals?q=script",
            "Signals explorer",
            "09-hostile-signals",
        ),
    ];
    for (path, heading, shot) in pages {
        tab.navigate_to(&format!("{base}{path}"))
            .expect("nav")
            .wait_until_navigated()
            .expect("loaded");
        let h1 = eval_string(
            &tab,
            "document.querySelector('h1') ? document.querySelector('h1').textContent : ''",
        );
        assert!(
            h1.starts_with(heading),
            "{path}: heading {h1:?}, expected {heading:?}"
        );
        let points = eval_usize(&tab, "document.querySelectorAll('svg .pt').length");
        assert!(points > 0, "{path}: no chart data points");
        let rendered = eval_usize(
            &tab,
            "Array.from(document.querySelectorAll('svg.chart, svg.gauge')).filter(s => s.getBoundingClientRect().width > 0).length",
        );
        assert!(rendered > 0, "{path}: no chart is laid out");
        shoot(&tab, &shots, shot);
    }
    // The hostile post is text on the page, not markup.
    tab.navigate_to(&format!("{base}/signals?q=pwned"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    assert_eq!(
        eval_usize(
            &tab,
            "document.querySelectorAll('main script, main img').length"
        ),
        0
    );
    let text = eval_string(&tab, "document.querySelector('td.text').textContent");
    assert!(text.contains("<script>alert('pwned')</script>"), "{text}");

    // The allocation planner's form.
    tab.navigate_to(&format!("{base}/allocation"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    tab.evaluate(
        "document.querySelector('input[name=budget]').value = '250000'",
        false,
    )
    .expect("set budget");
    tab.wait_for_element("form.filters button[type=submit]")
        .expect("plan")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("planned");
    std::thread::sleep(Duration::from_millis(300));
    let card = eval_string(
        &tab,
        "document.querySelector('.card') ? document.querySelector('.card').textContent : ''",
    );
    assert!(card.contains("250,000"), "{card}");
    assert!(eval_usize(&tab, "document.querySelectorAll('svg.hbars .pt').length") > 0);
    shoot(&tab, &shots, "10-allocation-planned");

    // Sign out.
    tab.wait_for_element("header form button")
        .expect("sign out")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("signed out");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        eval_string(&tab, "document.querySelector('h1').textContent"),
        "Sign in"
    );

    let errors = errors.lock().map(|e| e.clone()).unwrap_or_default();
    drop(tab);
    drop(browser);
    let _ = stop.send(());
    let _ = runtime.block_on(server);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    eprintln!("screenshots in {}", shots.display());
}
