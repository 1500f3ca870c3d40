//! A small airline workspace shared by the tests, and an in-process client.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tce_model::{EnrichedSignal, Model};
use tce_server::tokens::NewToken;
use tce_server::{AppState, Db, ServerOptions};
use tce_store::{SqliteStore, Store};
use tce_text::enrich::Enricher;
use tower::ServiceExt;

/// Generated signals in the base workspace (plus the hostile ones).
pub const GENERATED: u64 = 3_000;

/// Signal text that tries to break out of HTML, attributes and SVG.
pub const HOSTILE_TEXT: &str =
    "<script>alert('pwned')</script> my \"bag\" was lost </svg><svg onload=alert(1)> & 'quotes'";
/// An author handle with markup.
pub const HOSTILE_AUTHOR: &str = "<img src=x onerror=alert(2)>";

pub fn model() -> Model {
    let t = tce_model::templates::template("airline").expect("airline template");
    Model::parse(t.toml, Path::new("airline.toml")).expect("airline model")
}

/// Hostile records in our schema (NDJSON).
pub fn hostile_ndjson() -> String {
    let a = serde_json::json!({
        "id": "evil-1", "channel": "x", "text": HOSTILE_TEXT,
        "created_at": "2026-04-20T10:00:00Z", "brand": "skyway", "author": HOSTILE_AUTHOR,
    });
    let b = serde_json::json!({
        "id": "evil-2", "channel": "facebook",
        "text": "=HYPERLINK(\"http://evil.example\") baggage \"</title></text></g></svg><script>alert(3)</script>",
        "created_at": "2026-04-21T10:00:00Z", "brand": "skyway", "author": "\"><b>bold</b>",
    });
    format!("{a}\n{b}\n")
}

/// Parses, enriches and stores NDJSON the way the HTTP API does.
pub fn ingest(model: &Model, store: &mut SqliteStore, body: &[u8]) -> u64 {
    let enricher = Enricher::new(model).expect("enricher");
    let (parsed, rejects) =
        tce_ingest::parse_body(body, None, &Default::default(), model, "test").expect("parse");
    assert!(rejects.is_empty(), "{rejects:?}");
    let batch: Vec<EnrichedSignal> = parsed
        .into_iter()
        .map(|p| EnrichedSignal {
            enrichment: enricher.enrich(&p.signal),
            signal: p.signal,
        })
        .collect();
    store.insert(&batch).expect("insert").inserted
}

/// Parses NDJSON and stores it through the ingest pipeline, as `tce demo`
/// and `POST /api/v1/signals` do: brand replies recognised, care cases
/// opened, answered and followed up in the same transaction.
pub fn ingest_through_pipeline(model: &Model, store: &mut SqliteStore, body: &[u8]) -> u64 {
    let pipeline = tce_pipeline::Pipeline::open(model, Path::new("."), store).expect("pipeline");
    let (parsed, rejects) =
        tce_ingest::parse_body(body, None, &Default::default(), model, "test").expect("parse");
    assert!(rejects.is_empty(), "{rejects:?}");
    let batch = pipeline.prepare_all(parsed.into_iter().map(|p| p.signal));
    pipeline
        .store(store, &batch, tce_pipeline::Door::File)
        .expect("store")
        .accepted
}

/// Imports the generator's weekly outcomes CSV (period, brand, revenue,
/// customers, return_visits) as `tce outcomes import` does.
fn import_outcomes(model: &Model, store: &mut SqliteStore, csv_bytes: &[u8]) {
    let mut rdr = csv::Reader::from_reader(csv_bytes);
    let num = |s: Option<&str>| s.and_then(|v| v.trim().parse::<f64>().ok());
    let rows: Vec<tce_store::OutcomeRow> = rdr
        .records()
        .map(|r| {
            let r = r.expect("outcome row");
            tce_store::OutcomeRow {
                period_start: chrono::NaiveDate::parse_from_str(&r[0], "%Y-%m-%d").expect("period"),
                brand: model.resolve_brand(&r[1]).expect("brand").to_string(),
                revenue: num(r.get(2)).expect("revenue"),
                customers: num(r.get(3)),
                return_visits: num(r.get(4)),
            }
        })
        .collect();
    assert!(!rows.is_empty());
    store.insert_outcomes(&rows).expect("outcomes");
}

/// A workspace database: generated signals, the hostile ones, the
/// generator's weekly outcomes imported.
fn build_db(cfg: &tce_synth::SynthConfig, pipeline: bool) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tce.db");
    let model = model();
    let mut signals = Vec::new();
    let mut outcomes = Vec::new();
    tce_synth::generate(
        &model,
        cfg,
        &mut signals,
        &mut std::io::sink(),
        &mut outcomes,
    )
    .expect("generate");
    let mut store = SqliteStore::open(&path).expect("store");
    if pipeline {
        ingest_through_pipeline(&model, &mut store, &signals);
        ingest_through_pipeline(&model, &mut store, hostile_ndjson().as_bytes());
    } else {
        ingest(&model, &mut store, &signals);
        ingest(&model, &mut store, hostile_ndjson().as_bytes());
    }
    import_outcomes(&model, &mut store, &outcomes);
    drop(store);
    (dir, path)
}

/// The base workspace's database, built once per test run.
fn base_db() -> &'static Path {
    static BASE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BASE.get_or_init(|| {
        build_db(
            &tce_synth::SynthConfig {
                signals: GENERATED,
                seed: 7,
                days: 70,
                ..tce_synth::SynthConfig::default()
            },
            false,
        )
    });
    path
}

/// Signals of the demo world (`tce demo`'s seed, days and template, fewer
/// signals so a debug build makes it in seconds).
pub const DEMO_SIGNALS: u64 = 20_000;

/// A demo world as `tce demo` makes it (through the ingest pipeline, so it
/// has care cases — those the brand never answered stay open —, outcomes
/// imported, so the Finance page has data), built once per test run.
fn demo_db() -> &'static Path {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DEMO.get_or_init(|| {
        build_db(
            &tce_synth::SynthConfig {
                signals: DEMO_SIGNALS,
                ..tce_synth::SynthConfig::default()
            },
            true,
        )
    });
    path
}

/// Tokens of the test app, one per role.
pub struct Tokens {
    pub admin: String,
    pub analyst: String,
    /// Agent of the `baggage` department (owns the `baggage` touchpoint only).
    pub agent: String,
    /// A revoked analyst token.
    pub revoked: String,
}

/// An app over a private copy of the base workspace.
pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    pub tokens: Tokens,
    pub _dir: tempfile::TempDir,
    pub db_path: PathBuf,
}

fn make_token(store: &mut SqliteStore, role: &str, department: Option<&str>) -> (i64, String) {
    let token = tce_server::generate_token();
    let id = store
        .create_token(&NewToken {
            name: format!("test {role}"),
            role: role.into(),
            department: department.map(str::to_string),
            hash: tce_server::hash_token(&token),
            created_at: chrono::Utc::now(),
        })
        .expect("token");
    (id, token)
}

pub fn test_app_with(options: ServerOptions) -> TestApp {
    app_over(base_db(), options)
}

/// An app over a private copy of the demo world.
pub fn demo_app() -> TestApp {
    app_over(demo_db(), ServerOptions::default())
}

fn app_over(world: &Path, options: ServerOptions) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("tce.db");
    std::fs::copy(world, &db_path).expect("copy base db");
    let mut store = SqliteStore::open(&db_path).expect("store");
    let (_, admin) = make_token(&mut store, "admin", None);
    let (_, analyst) = make_token(&mut store, "analyst", None);
    let (_, agent) = make_token(&mut store, "agent", Some("baggage"));
    let (rid, revoked) = make_token(&mut store, "analyst", None);
    store.revoke_token(rid, chrono::Utc::now()).expect("revoke");
    drop(store);
    let db = Db::open(&db_path, 2).expect("db");
    let state = AppState::new(model(), db, options).expect("state");
    TestApp {
        app: tce_server::app(state.clone()),
        state,
        tokens: Tokens {
            admin,
            analyst,
            agent,
            revoked,
        },
        _dir: dir,
        db_path,
    }
}

pub fn test_app() -> TestApp {
    test_app_with(ServerOptions::default())
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts the one error shape and returns the code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let obj = v.as_object().expect("object");
        assert_eq!(obj.len(), 1, "{v}");
        let err = obj["error"].as_object().expect("error object");
        assert_eq!(err.len(), 2, "{v}");
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        err["code"].as_str().expect("code").to_string()
    }

    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("tce_session="))
            .map(str::to_string)
    }
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        let mut req = Request::get(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn post(
        &self,
        uri: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Reply {
        let mut req = Request::post(uri).header("content-type", content_type);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(body.into()).expect("request")).await
    }

    pub async fn delete(&self, uri: &str, token: Option<&str>) -> Reply {
        let mut req = Request::delete(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    /// A page fetched with a session cookie.
    pub async fn page(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(uri);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    /// A form posted with a session cookie.
    pub async fn form(&self, uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let mut req =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let body = serde_urlencoded::to_string(fields).expect("form");
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    /// Signs in through the form; returns the session cookie (`name=value`).
    pub async fn sign_in(&self, token: &str) -> String {
        let login = self.page("/login", None).await;
        assert_eq!(login.status, StatusCode::OK);
        let cookie = cookie_pair(&login.cookie().expect("session cookie"));
        let csrf = hidden_csrf(&login.text());
        let res = self
            .form(
                "/login",
                Some(&cookie),
                &[("token", token), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        cookie_pair(&res.cookie().expect("new session cookie"))
    }

    pub fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.db_path).expect("store")
    }
}

/// `name=value` of a Set-Cookie header.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_string()
}

/// The value of the hidden `csrf` field of a page.
pub fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end of value")].to_string()
}
