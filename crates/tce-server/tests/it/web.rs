//! The dashboard: sign-in, sessions, roles, CSRF, escaping of hostile text,
//! every page rendering with data.

use crate::common::*;
use axum::http::StatusCode;
use tce_server::ServerOptions;

const PAGES: [(&str, &str); 8] = [
    ("/", "Overview"),
    ("/journey", "Journey map"),
    ("/channels", "Channel influence"),
    ("/benchmark", "Benchmark"),
    ("/quadrant", "Importance–performance"),
    ("/allocation", "Allocation planner"),
    ("/finance", "Finance"),
    ("/signals", "Signals explorer"),
];

fn data_points(html: &str) -> usize {
    html.matches("class=\"pt\"").count()
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_sets_a_safe_cookie() {
    let t = test_app();
    let r = t.page("/", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login");

    let login = t.page("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    let set = login.cookie().expect("cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "loopback test server: {set}");
    let cookie = cookie_pair(&set);
    let csrf = hidden_csrf(&login.text());

    // Wrong anti-forgery token.
    let r = t
        .form(
            "/login",
            Some(&cookie),
            &[("token", &t.tokens.admin), ("csrf", "forged")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("csrf_failed"));
    // No session at all (a cross-site post carries no SameSite=Strict cookie).
    let r = t
        .form(
            "/login",
            None,
            &[("token", &t.tokens.admin), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Bad and revoked tokens.
    for bad in ["tce_wrong", t.tokens.revoked.as_str()] {
        let r = t
            .form("/login", Some(&cookie), &[("token", bad), ("csrf", &csrf)])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("Not signed in"));
    }
    // Good token: a new session id, then the pages open.
    let r = t
        .form(
            "/login",
            Some(&cookie),
            &[("token", &t.tokens.analyst), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let session = cookie_pair(&r.cookie().expect("new cookie"));
    assert_ne!(session, cookie, "the session id changes on sign-in");
    let r = t.page("/", Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("<h1>Overview</h1>"));
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    // The pre-sign-in id is dead.
    assert_eq!(
        t.page("/", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );

    // Sign out needs the anti-forgery token too.
    let page = t.page("/", Some(&session)).await.text();
    let csrf = hidden_csrf(&page);
    assert_eq!(
        t.form("/logout", Some(&session), &[("csrf", "nope")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = t.form("/logout", Some(&session), &[("csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(
        t.page("/", Some(&session)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn secure_cookies_off_loopback() {
    let t = test_app_with(ServerOptions {
        secure_cookies: true,
        ..ServerOptions::default()
    });
    let set = t.page("/login", None).await.cookie().unwrap();
    assert!(set.contains("; Secure"), "{set}");
}

#[tokio::test]
async fn every_page_renders_with_its_heading_and_data_points() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.admin).await;
    for (path, heading) in PAGES {
        let r = t.page(path, Some(&session)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        let html = r.text();
        assert!(
            html.contains(&format!("<h1>{heading}")),
            "{path} lacks heading {heading}"
        );
        assert!(data_points(&html) > 0, "{path} has no chart data points");
        assert!(!html.contains("<script"), "{path} has a script");
        for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(external), "{path} references {external}");
        }
    }
    // Weights say where they come from.
    let html = t.page("/channels", Some(&session)).await.text();
    assert!(["derived", "low confidence", "configured"]
        .iter()
        .any(|s| html.contains(&format!(">{s}</span>"))));
    // Filters and brand choice work.
    let r = t
        .page(
            "/journey?brand=bluejet&from=2026-03-01&to=2026-12-31",
            Some(&session),
        )
        .await;
    assert!(
        r.text().contains("Journey map — BlueJet") || r.text().contains("Journey map — "),
        "{}",
        r.status
    );
    let r = t
        .page("/signals?intent=complaint&limit=5", Some(&session))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Next page"));
    let r = t.page("/signals?brand=nobody", Some(&session)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("invalid_parameter"));
    assert_eq!(
        t.page("/no-such-page", Some(&session)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn hostile_signal_text_is_escaped_in_html_and_svg() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let html = t
        .page(
            "/signals?limit=200&from=2026-04-20&to=2026-04-21",
            Some(&session),
        )
        .await
        .text();
    assert!(
        html.contains("&lt;script&gt;alert('pwned')&lt;/script&gt;")
            || html.contains("&lt;script&gt;alert(&#39;pwned&#39;)"),
        "text shown escaped"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "author escaped"
    );
    assert!(
        html.contains("&quot;&gt;&lt;b&gt;bold&lt;/b&gt;"),
        "quotes escaped"
    );
    assert!(!html.contains("<script"), "no script element");
    assert!(!html.contains("<img"), "no img element");
    assert!(!html.contains("<b>bold"), "no injected bold");
    assert!(!html.contains("<svg onload"), "no injected svg");
    // Every </svg> closes one of our charts: the gauge's <title> holds the
    // text, escaped.
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    assert!(html.contains("&lt;/svg&gt;"));
    assert!(html.contains("&lt;/title&gt;&lt;/text&gt;"));
}

#[tokio::test]
async fn allocation_form_is_protected_against_forgery() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let page = t.page("/allocation", Some(&session)).await.text();
    let csrf = hidden_csrf(&page);
    let fields = |csrf: &str| -> Vec<(&'static str, String)> {
        vec![
            ("budget", "80000".into()),
            ("objective", "acquire".into()),
            ("csrf", csrf.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let session = session.clone();
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form("/allocation", Some(&session), &pairs).await
        }
    };
    let r = post(fields("")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("csrf_failed"));
    let r = post(fields("forged-token")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(fields(&csrf)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("80,000"), "budget shown");
    assert!(
        html.contains("objective <strong>acquire</strong>")
            || html.contains("<strong>acquire</strong>")
    );
    assert!(data_points(&html) > 0);
    // A bad input is shown on the page, not a crash.
    let r = t
        .form(
            "/allocation",
            Some(&session),
            &[("budget", "100"), ("min", "x=500"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("class=\"error\""));
}

#[tokio::test]
async fn agents_get_their_pages_only() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.agent).await;
    let r = t.page("/", Some(&session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/journey");
    for path in [
        "/channels",
        "/benchmark",
        "/quadrant",
        "/allocation",
        "/finance",
    ] {
        assert_eq!(
            t.page(path, Some(&session)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let journey = t.page("/journey", Some(&session)).await.text();
    assert!(journey.contains("Baggage handling"));
    assert!(
        !journey.contains("Punctuality"),
        "other departments' touchpoints hidden"
    );
    let html = t.page("/signals?limit=100", Some(&session)).await.text();
    assert!(html.contains("your department"));
    let rows = html.matches("<tr>").count() - 1;
    assert!(rows > 0);
    assert_eq!(
        html.matches("Baggage handling</span>").count(),
        rows,
        "every row touches baggage"
    );
    // Navigation shows only what the role may open.
    assert!(!html.contains("href=\"/finance\""));
}

#[tokio::test]
async fn revoking_a_token_ends_its_sessions() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    assert_eq!(
        t.page("/signals", Some(&session)).await.status,
        StatusCode::OK
    );
    let list = t.get("/api/v1/tokens", Some(&t.tokens.admin)).await.json();
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["role"] == "analyst" && x["revoked_at"].is_null())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        t.delete(&format!("/api/v1/tokens/{id}"), Some(&t.tokens.admin))
            .await
            .status,
        StatusCode::OK
    );
    let r = t.page("/signals", Some(&session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login");
}

#[tokio::test]
async fn no_auth_serves_pages_without_sign_in() {
    let t = test_app_with(ServerOptions {
        no_auth: true,
        ..ServerOptions::default()
    });
    let r = t.page("/benchmark", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("no authentication (loopback only)"));
    // The planner still wants its per-session anti-forgery token.
    let cookie = cookie_pair(&r.cookie().unwrap());
    let r = t
        .form(
            "/allocation",
            Some(&cookie),
            &[("budget", "1000"), ("csrf", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(t.get("/api/v1/weights", None).await.status, StatusCode::OK);
}
