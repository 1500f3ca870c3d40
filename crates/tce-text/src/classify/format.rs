//! The saved model format (`NAME.model`), version 1.
//!
//! ```text
//! magic      8 bytes  "TCECLASS"
//! version    u32      1
//! header     u32 length, then JSON: kind, labels, feature config, views,
//!                     dense features (name, mean, scale), training config
//! per view   bf16     scale of unseen buckets
//!            f32 × K  class biases
//!            u32      number of stored buckets, then for each:
//!            u32 bucket, bf16 scale, bf16 × K class weights
//! combiner   f32 × K·inputs weights, f32 × K biases
//! checksum   u64      FNV-1a of every preceding byte
//! ```
//!
//! Integers and floats are little-endian; bf16 is bfloat16 (the upper 16
//! bits of an IEEE `f32`), as the weight tables are held in memory. Only buckets that differ from an
//! all-zero row with the default scale are stored, so a model is a few MB
//! whatever `hash_bits` is. The header is readable with `head -c` and tells
//! a loader which dense features, in which order, the model expects.

use serde::{Deserialize, Serialize};

use super::features::FeatureConfig;
use super::linear::View;
use super::meta::Softmax;
use super::{Classifier, ClassifyError, DenseFeature, TrainConfig, ViewKind};

const MAGIC: &[u8; 8] = b"TCECLASS";
const VERSION: u32 = 1;
const KIND: &str = "tce.text-classifier.linear-stack";

#[derive(Serialize, Deserialize)]
struct Header {
    kind: String,
    labels: Vec<String>,
    features: FeatureConfig,
    views: Vec<ViewKind>,
    dense: Vec<DenseFeature>,
    combiner_inputs: usize,
    examples: usize,
    training: TrainConfig,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn put_f32s(out: &mut Vec<u8>, values: &[f32]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_u16s(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put_u32(out: &mut Vec<u8>, v: usize) -> Result<(), ClassifyError> {
    let v =
        u32::try_from(v).map_err(|_| ClassifyError::Format(format!("{v} does not fit in u32")))?;
    out.extend_from_slice(&v.to_le_bytes());
    Ok(())
}

pub(crate) fn save(model: &Classifier, w: &mut dyn std::io::Write) -> Result<(), ClassifyError> {
    let header = Header {
        kind: KIND.to_string(),
        labels: model.labels.clone(),
        features: model.features,
        views: model.views.iter().map(|(k, _)| *k).collect(),
        dense: model.dense.clone(),
        combiner_inputs: model.combiner.inputs,
        examples: model.examples,
        training: model.config.clone(),
    };
    let json = serde_json::to_vec(&header).map_err(|e| ClassifyError::Format(e.to_string()))?;
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    put_u32(&mut out, json.len())?;
    out.extend_from_slice(&json);
    for (_, view) in &model.views {
        put_u16s(&mut out, &[view.default_scale]);
        put_f32s(&mut out, &view.bias);
        let stride = view.stride();
        let stored: Vec<(usize, &[u16])> = view
            .table
            .chunks_exact(stride)
            .enumerate()
            .filter(|(_, row)| row[0] != view.default_scale || row[1..].iter().any(|&w| w != 0))
            .collect();
        put_u32(&mut out, stored.len())?;
        for (bucket, row) in stored {
            put_u32(&mut out, bucket)?;
            put_u16s(&mut out, row);
        }
    }
    put_f32s(&mut out, &model.combiner.weights);
    put_f32s(&mut out, &model.combiner.bias);
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    w.write_all(&out)?;
    w.flush()?;
    Ok(())
}

/// Reads little-endian values off a byte slice.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], ClassifyError> {
        if self.bytes.len() < n {
            return Err(ClassifyError::Format("truncated".to_string()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<usize, ClassifyError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn u16s(&mut self, n: usize) -> Result<Vec<u16>, ClassifyError> {
        let len = n
            .checked_mul(2)
            .ok_or_else(|| ClassifyError::Format("size overflow".to_string()))?;
        let b = self.take(len)?;
        Ok(b.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }

    fn f32s(&mut self, n: usize) -> Result<Vec<f32>, ClassifyError> {
        let len = n
            .checked_mul(4)
            .ok_or_else(|| ClassifyError::Format("size overflow".to_string()))?;
        let b = self.take(len)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

pub(crate) fn load(r: &mut dyn std::io::Read) -> Result<Classifier, ClassifyError> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    let bad = |m: &str| ClassifyError::Format(m.to_string());
    if bytes.len() < MAGIC.len() + 16 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad("not a tce classifier model (bad magic)"));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 8);
    let mut sum = [0u8; 8];
    sum.copy_from_slice(trailer);
    if fnv1a(body) != u64::from_le_bytes(sum) {
        return Err(bad("checksum mismatch (file damaged or truncated)"));
    }
    let mut rd = Reader {
        bytes: &body[MAGIC.len()..],
    };
    let version = rd.u32()?;
    if version != VERSION as usize {
        return Err(ClassifyError::Format(format!(
            "format version {version}, this build reads version {VERSION}"
        )));
    }
    let header_len = rd.u32()?;
    let header: Header = serde_json::from_slice(rd.take(header_len)?)
        .map_err(|e| ClassifyError::Format(format!("header: {e}")))?;
    if header.kind != KIND {
        return Err(ClassifyError::Format(format!(
            "model kind {:?}, expected {KIND:?}",
            header.kind
        )));
    }
    let k = header.labels.len();
    let bits = header.features.hash_bits;
    if k < 2 || !(10..=24).contains(&bits) {
        return Err(bad(
            "header: fewer than two labels or hash_bits outside 10..=24",
        ));
    }
    let mut views = Vec::with_capacity(header.views.len());
    for &kind in &header.views {
        let default_scale = rd.u16s(1)?[0];
        let mut view = View::empty(bits, k, default_scale);
        view.bias = rd.f32s(k)?;
        let stride = view.stride();
        let stored = rd.u32()?;
        for _ in 0..stored {
            let bucket = rd.u32()?;
            let row = rd.u16s(stride)?;
            let at = bucket * stride;
            let slot = view
                .table
                .get_mut(at..at + stride)
                .ok_or_else(|| bad("bucket out of range"))?;
            slot.copy_from_slice(&row);
        }
        views.push((kind, view));
    }
    let inputs = header.combiner_inputs;
    if inputs != views.len() * k + header.dense.len() {
        return Err(bad(
            "header: combiner inputs do not match views and dense features",
        ));
    }
    let combiner = Softmax {
        classes: k,
        inputs,
        weights: rd.f32s(k * inputs)?,
        bias: rd.f32s(k)?,
    };

    if !rd.bytes.is_empty() {
        return Err(bad("trailing bytes after the combiner"));
    }
    Ok(Classifier {
        labels: header.labels,
        features: header.features,
        dense: header.dense,
        views,
        combiner,
        config: header.training,
        examples: header.examples,
    })
}
