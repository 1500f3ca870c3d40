//! The dashboard in a real browser: the server on a free loopback port over
//! a demo world (outcomes imported, as `tce demo` does), headless Chromium
//! 1,366 px wide signing in with a token and opening every page. Each page
//! must show its heading and charts with data points, no sign of missing
//! data, no chart label that overlaps another or leaves its chart (bounding
//! boxes measured in the page), a navigation on one line, and the browser
//! must log no console error (a blocked resource, a CSP violation, a script
//! error). The care pages too: the Cases queue, a case, the Care page, and
//! an agent answering a case through the form. Screenshots go to `<target>/browser-screenshots/` as test output.
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

/// Every chart label measured in the page: a label whose box leaves its
/// chart, or overlaps another label of the same chart by more than a pixel
/// each way, is a problem (`svg.gauge` has no labels).
const LABEL_PROBLEMS: &str = r#"
(() => {
  const out = [];
  document.querySelectorAll('svg.chart').forEach((svg, k) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) return;
    const name = (svg.querySelector('title') || {}).textContent || ('chart ' + k);
    const texts = Array.from(svg.querySelectorAll('text'))
      .map(t => ({ t: t.textContent, r: t.getBoundingClientRect() }))
      .filter(x => x.r.width > 0 && x.t.trim() !== '');
    for (const x of texts) {
      if (x.r.left < box.left - 1 || x.r.right > box.right + 1 || x.r.top < box.top - 1 || x.r.bottom > box.bottom + 1) {
        out.push(name + ': "' + x.t + '" leaves the chart');
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r, b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(name + ': "' + texts[i].t + '" overlaps "' + texts[j].t + '"');
      }
    }
  });
  return JSON.stringify(out);
})()
"#;

/// Words a page shows when it has nothing to show.
/// Whether `text` says `phrase` as a whole figure: "0 brand-weeks", not the
/// tail of "140 brand-weeks".
fn says_alone(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.')
    })
}

const NO_DATA: [&str; 6] = [
    "No signals match",
    "No data for this brand",
    "0 brand-weeks",
    "No elasticity could be fitted",
    "no weekly data",
    "Nothing in the fix-first quadrant",
];

fn shoot(tab: &Tab, dir: &std::path::Path, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

#[test]
fn every_page_in_headless_chromium() {
    let path = chromium();
    let t = demo_app();
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
        window_size: Some((1366, 900)),
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
        ("/care", "Care", "13-care"),
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
        let text = eval_string(&tab, "document.querySelector('main').innerText");
        for empty in NO_DATA {
            assert!(
                !says_alone(&text, empty),
                "{path}: {empty:?} on the demo world"
            );
        }
        let problems: Vec<String> =
            serde_json::from_str(&eval_string(&tab, LABEL_PROBLEMS)).expect("label check");
        assert!(problems.is_empty(), "{path}: {problems:#?}");
        // The navigation is one line at 1,366 px: every group on one row,
        // the header no taller than one.
        let rows = eval_usize(
            &tab,
            "new Set(Array.from(document.querySelectorAll('header nav .group')).map(g => g.offsetTop)).size",
        );
        let header = eval_usize(&tab, "document.querySelector('header').offsetHeight");
        assert!(
            rows == 1 && header < 60,
            "{path}: navigation wraps ({rows} rows, {header} px)"
        );
        shoot(&tab, &shots, shot);
    }
    // The Cases queue of the demo world: the cases the brand never
    // answered are still open, most urgent first, with SLA badges.
    tab.navigate_to(&format!("{base}/cases"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    assert_eq!(
        eval_string(&tab, "document.querySelector('h1').textContent"),
        "Cases"
    );
    let rows = eval_usize(
        &tab,
        "document.querySelectorAll('table.cases tbody tr').length",
    );
    assert!(rows > 0, "no open case in the demo world");
    assert!(
        eval_usize(
            &tab,
            "document.querySelectorAll('table.cases .badge').length"
        ) > 0
    );
    shoot(&tab, &shots, "14-cases");
    // A case: the thread in time order, the SLA clocks, the audit trail.
    let href = eval_string(
        &tab,
        "document.querySelector('table.cases tbody tr a').getAttribute('href')",
    );
    assert!(href.starts_with("/cases/"), "{href}");
    tab.navigate_to(&format!("{base}{href}"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    let h1 = eval_string(&tab, "document.querySelector('h1').textContent");
    assert!(h1.starts_with("Case #"), "{h1}");
    assert!(eval_usize(&tab, "document.querySelectorAll('ol.thread li').length") > 0);
    assert!(
        eval_usize(
            &tab,
            "document.querySelectorAll('table.audit tbody tr').length"
        ) > 0
    );
    let text = eval_string(&tab, "document.querySelector('main').innerText");
    assert!(
        text.contains("SLA clocks") && text.contains("Routing"),
        "{text}"
    );
    shoot(&tab, &shots, "15-case");

    // A navigation group opens on focus (keyboard) as on hover, with no
    // script: its pages become visible links.
    let shown = eval_string(
        &tab,
        "(() => { const g = Array.from(document.querySelectorAll('header nav .group')).pop(); \
          const before = getComputedStyle(g.querySelector('.menu')).display; g.focus(); \
          return before + ' ' + getComputedStyle(g.querySelector('.menu')).display; })()",
    );
    assert_eq!(shown, "none block", "the Plan menu does not open on focus");
    shoot(&tab, &shots, "12-navigation-open");
    // The label check finds what it looks for: a chart made to fail it.
    tab.evaluate(
        r#"document.querySelector('main').insertAdjacentHTML('beforeend',
          '<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="120" height="40"><title>control</title>' +
          '<text x="5" y="20" font-size="12">overlapping</text><text x="9" y="23" font-size="12">labels</text>' +
          '<text x="100" y="30" font-size="12">outside the chart</text></svg>')"#,
        false,
    )
    .expect("control chart");
    let problems: Vec<String> =
        serde_json::from_str(&eval_string(&tab, LABEL_PROBLEMS)).expect("label check");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("\"overlapping\" overlaps \"labels\""))
            && problems
                .iter()
                .any(|p| p.contains("\"outside the chart\" leaves the chart")),
        "the label check missed the control chart: {problems:#?}"
    );
    // Heat-map tiles wrap long names rather than cutting them.
    tab.navigate_to(&format!("{base}/journey"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    let cut = eval_string(
        &tab,
        "Array.from(document.querySelectorAll('svg.heat text')).map(t => t.textContent).filter(t => t.includes('…')).join(' | ')",
    );
    assert!(cut.is_empty(), "heat-map labels cut: {cut}");
    // A tile opens the explorer filtered to it, with a way back.
    let href = eval_string(
        &tab,
        "document.querySelector('svg.heat a').getAttribute('href')",
    );
    assert!(href.starts_with("/signals?"), "{href}");
    tab.navigate_to(&format!("{base}{href}"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    let filter = eval_string(&tab, "document.querySelector('p.filter').innerText");
    assert!(filter.starts_with("Signals about "), "{filter}");
    assert!(filter.contains("Back to Journey map"), "{filter}");
    assert!(eval_usize(&tab, "document.querySelectorAll('td.text').length") > 0);
    shoot(&tab, &shots, "11-drill-down");
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

    // The Maturity page: fill the readiness form, see the result and the roadmap.
    tab.navigate_to(&format!("{base}/maturity"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    tab.wait_for_element("details:has(#form-readiness) > summary")
        .expect("readiness form")
        .click()
        .expect("open");
    tab.wait_for_element("#form-readiness input[name='item.experience_everywhere'][value='solid']")
        .expect("a choice")
        .click()
        .expect("choose");
    tab.wait_for_element("#form-readiness button[type=submit]")
        .expect("assess")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("assessed");
    std::thread::sleep(Duration::from_millis(300));
    let result = eval_string(
        &tab,
        "document.querySelector('#result') ? document.querySelector('#result').textContent : ''",
    );
    assert!(result.starts_with("Assessment of"), "{result}");
    assert!(eval_usize(&tab, "document.querySelectorAll('table.roadmap tr').length") > 1);
    assert!(eval_usize(&tab, "document.querySelectorAll('svg.hbars .pt').length") > 0);
    let levels = eval_string(&tab, "document.querySelector('table.maturity').textContent");
    assert!(
        levels.contains("solid") && levels.contains("not yet"),
        "{levels}"
    );
    shoot(&tab, &shots, "11-maturity-assessed");

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

    // An agent of the baggage department answers a case of their queue
    // through the form and sees the response in the thread.
    tab.wait_for_element("input[name=token]")
        .expect("token field")
        .click()
        .expect("focus");
    tab.type_str(&t.tokens.agent).expect("type");
    tab.wait_for_element("button[type=submit]")
        .expect("submit")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("signed in");
    std::thread::sleep(Duration::from_millis(300));
    tab.navigate_to(&format!("{base}/cases"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    let href = eval_string(
        &tab,
        "(document.querySelector('table.cases tbody tr a') || {getAttribute: () => ''}).getAttribute('href')",
    );
    assert!(
        href.starts_with("/cases/"),
        "the baggage queue is empty: {href:?}"
    );
    tab.navigate_to(&format!("{base}{href}"))
        .expect("nav")
        .wait_until_navigated()
        .expect("loaded");
    let reply = "Sorry about your bag: it is on the next flight and will be delivered tonight.";
    tab.wait_for_element("form#respond textarea[name=text]")
        .expect("response field")
        .click()
        .expect("focus");
    tab.type_str(reply).expect("type");
    tab.wait_for_element("form#respond button[type=submit]")
        .expect("record")
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("responded");
    std::thread::sleep(Duration::from_millis(300));
    let thread = eval_string(&tab, "document.querySelector('ol.thread').innerText");
    assert!(
        thread.contains(reply),
        "the response is not in the thread: {thread}"
    );
    let trail = eval_string(&tab, "document.querySelector('table.audit').innerText");
    assert!(trail.contains("Response on"), "{trail}");
    shoot(&tab, &shots, "16-case-responded");

    let errors = errors.lock().map(|e| e.clone()).unwrap_or_default();
    drop(tab);
    drop(browser);
    let _ = stop.send(());
    let _ = runtime.block_on(server);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    eprintln!("screenshots in {}", shots.display());
}
