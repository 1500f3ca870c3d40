//! Shows how the CX engine reads each text given as an argument (or one per
//! line on stdin): per-word VADER and CX valences, the cues, the compound,
//! the label and the intents.
//!
//! Usage: `cargo run -p tce-text --example cx_explain -- "flight delayed again, great"`.

use std::io::BufRead;

use tce_text::cx::{CxScratch, CxSentiment};
use tce_text::intent;

fn main() {
    let mut texts: Vec<String> = std::env::args().skip(1).collect();
    if texts.is_empty() {
        texts = std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect();
    }
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    for text in &texts {
        let s = cx.scores_with(text, &mut scratch);
        let mut found = Vec::new();
        intent::detect_into(&scratch, s.compound, &mut found);
        println!(
            "{text:?}\n  compound {:+.4} {:?}",
            s.compound,
            CxSentiment::label(s.compound)
        );
        let vader = scratch.vader().sentiments();
        let words: Vec<String> = (0..scratch.len())
            .map(|i| {
                let v = vader.get(i).copied().unwrap_or(0.0);
                let c = scratch.valences().get(i).copied().unwrap_or(0.0);
                if v == 0.0 && c == 0.0 {
                    scratch.word(i).to_string()
                } else {
                    format!("{}[{v:+.2}→{c:+.2}]", scratch.word(i))
                }
            })
            .collect();
        println!("  {}", words.join(" "));
        println!("  {:?}", scratch.cues());
        let intents: Vec<String> = found
            .iter()
            .map(|i| format!("{:?} {:.2}", i.intent, i.confidence))
            .collect();
        println!("  intents: {}", intents.join(", "));
    }
}
