//! Standard Webhooks signatures against the specification's published
//! values, verification, secrets and the retry schedule.

use tce_alert::webhook::{
    headers, next_retry, secret_from_bytes, sign, verify, Outcome, Retry, RetryPolicy,
};
use tce_alert::WebhookError;

/// standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts,
/// "sign function works" (the same values in the PHP, Python and Go libraries).
#[test]
fn the_specification_example_signs_and_verifies() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let ts = 1_614_265_330;
    let body = br#"{"test": 2432232314}"#;
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert_eq!(sign(secret, id, ts, body), Ok(expected.to_owned()));
    // The prefix is optional, as in the reference libraries.
    assert_eq!(
        sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id, ts, body),
        Ok(expected.to_owned())
    );
    assert_eq!(verify(secret, id, ts, body, expected, ts + 10, 300), Ok(()));
    // Several signatures (key rotation): any v1 match verifies.
    let several = format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,xyz {expected}");
    assert_eq!(verify(secret, id, ts, body, &several, ts, 300), Ok(()));
}

/// standard-webhooks/standard-webhooks, libraries/rust/src/lib.rs, `test_sign`.
#[test]
fn the_reference_rust_library_example_signs() {
    assert_eq!(
        sign(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            br#"{"email":"test@example.com","username":"test_user"}"#
        ),
        Ok("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=".to_owned())
    );
}

#[test]
fn tampering_staleness_and_bad_secrets_are_refused() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let ts = 1_614_265_330;
    let sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert_eq!(
        verify(secret, id, ts, br#"{"test": 2432232315}"#, sig, ts, 300),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify(
            secret,
            "msg_other",
            ts,
            br#"{"test": 2432232314}"#,
            sig,
            ts,
            300
        ),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify(secret, id, ts, br#"{"test": 2432232314}"#, "v1,", ts, 300),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verify(
            secret,
            id,
            ts,
            br#"{"test": 2432232314}"#,
            "v2,abc",
            ts,
            300
        ),
        Err(WebhookError::NoSignature)
    );
    assert!(matches!(
        verify(
            secret,
            id,
            ts,
            br#"{"test": 2432232314}"#,
            sig,
            ts + 301,
            300
        ),
        Err(WebhookError::TimestampOutOfTolerance { .. })
    ));
    assert!(matches!(
        sign("whsec_!!!", id, ts, b"{}"),
        Err(WebhookError::InvalidSecret(_))
    ));
    assert!(matches!(
        sign("whsec_", id, ts, b"{}"),
        Err(WebhookError::InvalidSecret(_))
    ));
}

#[test]
fn secrets_come_from_the_callers_random_bytes() {
    let secret = secret_from_bytes(&[7u8; 32]).expect("32 bytes");
    assert_eq!(secret, "whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
    assert_eq!(
        secret_from_bytes(&[0u8; 8]),
        Err(WebhookError::SecretLength(8))
    );
    let h = headers(&secret, "msg_1", 1_700_000_000, b"{}").expect("signs");
    assert_eq!(h[0], ("webhook-id", "msg_1".to_owned()));
    assert_eq!(h[1], ("webhook-timestamp", "1700000000".to_owned()));
    assert_eq!(
        verify(
            &secret,
            "msg_1",
            1_700_000_000,
            b"{}",
            &h[2].1,
            1_700_000_000,
            300
        ),
        Ok(())
    );
}

#[test]
fn retries_back_off_with_jitter_on_transient_failures_only() {
    let p = RetryPolicy::default();
    let status = |code| Outcome::Status {
        code,
        retry_after: None,
    };
    assert_eq!(next_retry(&p, 1, &status(200), 0.5), Retry::Delivered);
    assert_eq!(
        next_retry(&p, 1, &status(500), 0.5),
        Retry::After { secs: 5 }
    );
    assert_eq!(
        next_retry(&p, 2, &Outcome::Timeout, 0.5),
        Retry::After { secs: 10 }
    );
    assert_eq!(
        next_retry(&p, 3, &Outcome::Connection, 0.0),
        Retry::After { secs: 16 }
    );
    assert_eq!(
        next_retry(&p, 3, &status(429), 1.0),
        Retry::After { secs: 24 }
    );
    assert_eq!(
        next_retry(&p, 7, &status(503), 0.5),
        Retry::After { secs: 320 }
    );
    assert_eq!(
        next_retry(&p, 8, &status(503), 0.5),
        Retry::DeadLetter,
        "last attempt"
    );
    assert_eq!(next_retry(&p, 1, &status(404), 0.5), Retry::DeadLetter);
    assert_eq!(next_retry(&p, 1, &status(400), 0.5), Retry::DeadLetter);
    assert_eq!(
        next_retry(
            &p,
            1,
            &Outcome::Status {
                code: 429,
                retry_after: Some(120)
            },
            0.5
        ),
        Retry::After { secs: 120 }
    );
    let long = RetryPolicy {
        max_attempts: 100,
        ..RetryPolicy::default()
    };
    assert_eq!(
        next_retry(&long, 60, &status(502), 1.0),
        Retry::After { secs: 3600 }
    );
}
