//! Webhook delivery end to end: `tce webhooks add`, the outbox, the loop in
//! `tce serve`, against a real loopback HTTP receiver.

use super::{json, ok, stdout, tce};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: Vec<u8>,
}

/// A loopback HTTP receiver answering the scripted statuses in turn (the
/// last one forever); `None` holds the connection without answering.
fn receiver(script: Vec<Option<u16>>) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                headers.push(line.trim_end().to_owned());
            }
            let header = |name: &str| {
                headers
                    .iter()
                    .find_map(|h| {
                        let (k, v) = h.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                    .unwrap_or_default()
            };
            let len: usize = header("content-length").parse().unwrap_or(0);
            let mut body = vec![0; len];
            reader.read_exact(&mut body).expect("body");
            seen.lock().expect("lock").push(Received {
                id: header("webhook-id"),
                timestamp: header("webhook-timestamp").parse().unwrap_or(0),
                signature: header("webhook-signature"),
                body,
            });
            match script.get(n).or(script.last()).copied().flatten() {
                Some(code) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {code} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                }
                None => held.push(stream),
            }
        }
    });
    (port, got)
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(tce(dir.path(), &["init", "--template", "airline"]));
    // `[alerts]` is the template's last table: quick retries for the test.
    let model = dir.path().join("tce.toml");
    let text = std::fs::read_to_string(&model)
        .expect("model")
        .replace("webhook_attempts = 8", "webhook_attempts = 3")
        .replace("webhook_timeout_secs = 10", "webhook_timeout_secs = 2")
        + "webhook_base_delay_secs = 1\n";
    std::fs::write(&model, text).expect("model");
    dir
}

/// Adds a webhook; returns its id and secret.
fn add(dir: &std::path::Path, port: u16) -> (String, String) {
    let out = stdout(&ok(tce(
        dir,
        &[
            "webhooks",
            "add",
            "--department",
            "customer_care",
            "--url",
            &format!("http://127.0.0.1:{port}/hook"),
        ],
    )));
    let id = out
        .split_whitespace()
        .nth(1)
        .expect("id")
        .trim_end_matches(':')
        .to_owned();
    let secret = out
        .lines()
        .find(|l| l.starts_with("whsec_"))
        .expect("secret printed once")
        .to_owned();
    (id, secret)
}

fn serve(dir: &std::path::Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tce"))
        .arg("--dir")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--no-auth"])
        .env_remove("TCE_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tce serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    loop {
        let line = lines.next().expect("serve exited").expect("read");
        if line.contains("http://") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    child
}

fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn deliveries(dir: &std::path::Path) -> Vec<serde_json::Value> {
    json(&ok(tce(dir, &["webhooks", "deliveries", "--json"])))
        .as_array()
        .expect("list")
        .clone()
}

fn verify(secret: &str, r: &Received) {
    let now = chrono::Utc::now().timestamp();
    tce_alert::webhook::verify(secret, &r.id, r.timestamp, &r.body, &r.signature, now, 300)
        .unwrap_or_else(|e| panic!("signature of {r:?} does not verify: {e}"));
}

#[test]
fn retried_on_500_with_the_same_id_and_signed() {
    let dir = workspace();
    let (port, got) = receiver(vec![Some(500), Some(500), Some(200)]);
    let (id, secret) = add(dir.path(), port);
    ok(tce(dir.path(), &["webhooks", "test", &id]));
    let mut server = serve(dir.path());
    wait_for("three attempts", 30, || {
        got.lock().expect("lock").len() >= 3
    });
    wait_for("delivered", 10, || {
        deliveries(dir.path())[0]["status"] == "delivered"
    });
    server.kill().expect("kill");
    server.wait().expect("wait");
    let got = got.lock().expect("lock").clone();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "same webhook-id: {got:?}"
    );
    assert!(got[0].id.starts_with("msg_"));
    for r in &got {
        verify(&secret, r);
    }
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).expect("JSON body");
    assert_eq!(body["type"], "webhook.test");
    let d = &deliveries(dir.path())[0];
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["message_id"].as_str(), Some(got[0].id.as_str()));
}

#[test]
fn always_failing_is_dead_lettered_with_the_error_and_can_be_redelivered() {
    let dir = workspace();
    let (port, got) = receiver(vec![Some(503)]);
    let (id, _) = add(dir.path(), port);
    ok(tce(dir.path(), &["webhooks", "test", &id]));
    let mut server = serve(dir.path());
    wait_for("dead-lettered", 30, || {
        deliveries(dir.path())[0]["status"] == "dead"
    });
    let d = deliveries(dir.path())[0].clone();
    assert_eq!(d["attempts"], 3, "webhook_attempts = 3: {d}");
    assert_eq!(d["last_error"], "HTTP 503");
    assert_eq!(d["last_status"], 503);
    assert_eq!(got.lock().expect("lock").len(), 3);
    // Sent again on request, with the same id.
    let delivery = d["id"].to_string();
    ok(tce(dir.path(), &["webhooks", "redeliver", &delivery]));
    wait_for("a fourth attempt", 20, || {
        got.lock().expect("lock").len() >= 4
    });
    server.kill().expect("kill");
    server.wait().expect("wait");
    let got = got.lock().expect("lock").clone();
    assert!(got.iter().all(|r| r.id == got[0].id));
    // A 4xx other than 429 is not retried.
    let dir = workspace();
    let (port, got) = receiver(vec![Some(404)]);
    let (id, _) = add(dir.path(), port);
    ok(tce(dir.path(), &["webhooks", "test", &id]));
    let mut server = serve(dir.path());
    wait_for("dead-lettered at once", 20, || {
        deliveries(dir.path())[0]["status"] == "dead"
    });
    server.kill().expect("kill");
    server.wait().expect("wait");
    assert_eq!(got.lock().expect("lock").len(), 1);
}

#[test]
fn a_pending_delivery_survives_sigkill_of_serve() {
    let dir = workspace();
    // The first attempt is held unanswered while the server is killed.
    let (port, got) = receiver(vec![None, Some(200)]);
    let (id, secret) = add(dir.path(), port);
    ok(tce(dir.path(), &["webhooks", "test", &id]));
    let mut server = serve(dir.path());
    wait_for("the first attempt", 20, || {
        !got.lock().expect("lock").is_empty()
    });
    server.kill().expect("SIGKILL");
    server.wait().expect("wait");
    assert_eq!(deliveries(dir.path())[0]["status"], "pending");
    let mut server = serve(dir.path());
    wait_for("delivered after the restart", 30, || {
        deliveries(dir.path())[0]["status"] == "delivered"
    });
    server.kill().expect("kill");
    server.wait().expect("wait");
    let got = got.lock().expect("lock").clone();
    assert!(got.len() >= 2);
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "same webhook-id after the restart"
    );
    for r in &got {
        verify(&secret, r);
    }
}

#[test]
fn webhooks_list_and_remove() {
    let dir = workspace();
    let (id, secret) = add(dir.path(), 9);
    assert!(secret.starts_with("whsec_"));
    let list = json(&ok(tce(dir.path(), &["webhooks", "list", "--json"])));
    assert_eq!(list[0]["department"], "customer_care");
    assert!(
        !list.to_string().contains(&secret),
        "the secret is shown once only"
    );
    let bad = tce(
        dir.path(),
        &[
            "webhooks",
            "add",
            "--department",
            "nope",
            "--url",
            "http://x/",
        ],
    );
    assert!(!bad.status.success());
    ok(tce(dir.path(), &["webhooks", "remove", &id]));
    assert_eq!(
        json(&ok(tce(dir.path(), &["webhooks", "list", "--json"])))
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}
