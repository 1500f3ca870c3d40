//! VADER conformance against vaderSentiment 3.3.2.
//!
//! `reference_corpora` scores the 23,703 texts of the four VADER ground-truth
//! corpora (in `../shared/data/vader/` beside the repository) and compares
//! them with the reference outputs recorded from the Python package.
//! `reference_cases` does the same for hand-picked tricky texts whose
//! reference outputs are stored with the tests. The remaining tests pin down
//! behaviour users rely on.

use std::collections::HashMap;
use std::path::PathBuf;

use tce_text::vader::{SentimentScores, Vader};

fn data_dir() -> PathBuf {
    crate::shared_data().join("vader")
}

fn read_utf8(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); the VADER reference data must be in {} \
             (../shared/data/vader beside the repository)",
            path.display(),
            data_dir().display()
        )
    });
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

/// `(corpus, id) -> text` for the four ground-truth corpora.
fn corpora(corpus_names: &[&str]) -> HashMap<(String, String), String> {
    let mut texts = HashMap::new();
    for &name in corpus_names {
        let path = data_dir().join(format!("{name}_GroundTruth.txt"));
        let content = read_utf8(&path);
        for (n, line) in content.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let mut fields = line.splitn(3, '\t');
            let (Some(id), Some(_rating), Some(text)) =
                (fields.next(), fields.next(), fields.next())
            else {
                panic!(
                    "{}:{}: expected id<TAB>rating<TAB>text",
                    path.display(),
                    n + 1
                );
            };
            texts.insert((name.to_owned(), id.to_owned()), text.to_owned());
        }
    }
    texts
}

#[derive(Default, Debug)]
struct Tally {
    total: usize,
    compound_within: usize,
    neg_within: usize,
    neu_within: usize,
    pos_within: usize,
    all_exact: usize,
}

impl Tally {
    fn add(
        &mut self,
        got: &SentimentScores,
        want: &SentimentScores,
        text: &str,
        shown: &mut usize,
    ) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-3 + 1e-12;
        self.total += 1;
        self.compound_within += usize::from(close(got.compound, want.compound));
        self.neg_within += usize::from(close(got.neg, want.neg));
        self.neu_within += usize::from(close(got.neu, want.neu));
        self.pos_within += usize::from(close(got.pos, want.pos));
        if got == want {
            self.all_exact += 1;
        } else if *shown < 20 {
            *shown += 1;
            eprintln!("mismatch: {text:?}\n   got  {got:?}\n   want {want:?}");
        }
    }

    fn assert_all(&self, what: &str) {
        eprintln!(
            "{what}: {} texts; within 1e-3: compound {}, neg {}, neu {}, pos {}; all four exact {}",
            self.total,
            self.compound_within,
            self.neg_within,
            self.neu_within,
            self.pos_within,
            self.all_exact
        );
        assert_eq!(
            self.compound_within, self.total,
            "{what}: compound beyond 1e-3"
        );
        assert_eq!(self.neg_within, self.total, "{what}: neg beyond 1e-3");
        assert_eq!(self.neu_within, self.total, "{what}: neu beyond 1e-3");
        assert_eq!(self.pos_within, self.total, "{what}: pos beyond 1e-3");
        assert_eq!(
            self.all_exact, self.total,
            "{what}: not bit-identical to the reference"
        );
    }
}

fn num(field: &str, line: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|e| panic!("bad number {field:?} in {line:?}: {e}"))
}

#[test]
fn reference_corpora() {
    let tsv_path = data_dir().join("reference_vader_3.3.2.tsv");
    let tsv = read_utf8(&tsv_path);
    let names = [
        "tweets",
        "amazonReviewSnippets",
        "movieReviewSnippets",
        "nytEditorialSnippets",
    ];
    let texts = corpora(&names);
    let vader = Vader::new();
    let mut scratch = tce_text::vader::VaderScratch::new();
    let mut tally = Tally::default();
    let mut shown = 0;
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "bad reference line {line:?}");
        let key = (f[0].to_owned(), f[1].to_owned());
        let text = texts
            .get(&key)
            .unwrap_or_else(|| panic!("reference row {key:?} has no text in the corpora"));
        let want = SentimentScores {
            neg: num(f[2], line),
            neu: num(f[3], line),
            pos: num(f[4], line),
            compound: num(f[5], line),
        };
        let got = vader.polarity_scores_with(text, &mut scratch);
        tally.add(&got, &want, text, &mut shown);
    }
    assert_eq!(tally.total, 23_703, "expected 23,703 reference rows");
    assert_eq!(texts.len(), 23_703, "expected 23,703 corpus texts");
    tally.assert_all("reference corpora");
}

#[test]
fn reference_cases() {
    // Generated with vaderSentiment 3.3.2 (Python 3.11): see the file's
    // first line for the generator.
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/vader_cases.jsonl");
    let content = read_utf8(&path);
    let vader = Vader::new();
    let mut tally = Tally::default();
    let mut shown = 0;
    for line in content.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
        let text = v["text"].as_str().expect("text");
        let want = SentimentScores {
            neg: v["neg"].as_f64().expect("neg"),
            neu: v["neu"].as_f64().expect("neu"),
            pos: v["pos"].as_f64().expect("pos"),
            compound: v["compound"].as_f64().expect("compound"),
        };
        tally.add(&vader.polarity_scores(text), &want, text, &mut shown);
    }
    assert!(tally.total > 50);
    tally.assert_all("reference cases");
}

fn compound(text: &str) -> f64 {
    Vader::new().polarity_scores(text).compound
}

#[test]
fn negation_flips_polarity() {
    assert!(compound("The food was good.") > 0.4);
    assert!(compound("The food was not good.") < -0.3);
    assert!(compound("The food wasn't good.") < -0.3);
    assert!(compound("The food was never good.") < -0.3);
    assert!(compound("Not bad at all") > 0.4);
}

#[test]
fn but_shifts_weight_to_the_second_clause() {
    let s = Vader::new().polarity_scores("The food was good, but the service was horrible.");
    assert!(s.compound < -0.3, "{s:?}");
    let s = Vader::new().polarity_scores("The service was horrible, but the food was good.");
    assert!(s.compound > 0.0, "{s:?}");
}

#[test]
fn caps_and_exclamations_amplify() {
    let plain = compound("The flight was good and the crew was nice");
    let caps = compound("The flight was GOOD and the crew was nice");
    let bang = compound("The flight was good and the crew was nice!!!");
    assert!(caps > plain && bang > plain, "{plain} {caps} {bang}");
    // All-caps everywhere is no emphasis.
    assert_eq!(
        compound("THE FLIGHT WAS GOOD"),
        compound("the flight was good")
    );
}

#[test]
fn boosters_and_dampeners() {
    let base = compound("It was good.");
    assert!(compound("It was very good.") > base);
    assert!(compound("It was kind of good.") < base);
    assert!(compound("It was slightly good.") < base);
}

#[test]
fn emoji_are_scored_through_their_descriptions() {
    let s = Vader::new().polarity_scores("Flight landed 😁");
    assert!(s.compound > 0.3, "{s:?}");
    // 😡 reads "pouting face": "pouting" is negative in the lexicon.
    let s = Vader::new().polarity_scores("Lost my bag 😡");
    assert!(s.compound < -0.3, "{s:?}");
    assert_eq!(Vader::new().emoji_description('😡'), Some("pouting face"));
}

#[test]
fn lexicon_lookup() {
    let v = Vader::new();
    assert_eq!(v.lexicon_valence("good"), Some(1.9));
    assert_eq!(v.lexicon_valence(":)"), Some(2.0));
    assert_eq!(v.lexicon_valence("Good"), None);
    assert_eq!(v.lexicon_len(), 7506);
}
