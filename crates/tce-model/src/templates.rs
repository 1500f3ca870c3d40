//! Built-in model templates: the four research domains of the seed
//! "Social Media Under One Roof" plus airline.

/// A built-in template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Name given to `tce init --template`.
    pub name: &'static str,
    /// One line on what it models.
    pub description: &'static str,
    /// The model file text.
    pub toml: &'static str,
}

/// All built-in templates.
pub const TEMPLATES: [Template; 5] = [
    Template {
        name: "airline",
        description: "passenger airline: booking, airport, flight, baggage, loyalty",
        toml: include_str!("../templates/airline.toml"),
    },
    Template {
        name: "credit_card",
        description: "credit card issuer: rewards, application, limits, payments, fraud, disputes",
        toml: include_str!("../templates/credit_card.toml"),
    },
    Template {
        name: "mobile_telecom",
        description:
            "mobile operator: 5G, plans, devices, stores, coverage, porting, billing, care",
        toml: include_str!("../templates/mobile_telecom.toml"),
    },
    Template {
        name: "city_visit",
        description:
            "city destination: image, events, transport, hotels, food, safety, visitor help",
        toml: include_str!("../templates/city_visit.toml"),
    },
    Template {
        name: "b2b_it",
        description:
            "B2B IT/SaaS vendor: product & API, sales, onboarding, uptime, security, support",
        toml: include_str!("../templates/b2b_it.toml"),
    },
];

/// The template with this name.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The template someone probably meant by an unknown name (`airlines` →
/// `airline`), for "did you mean" hints.
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::model::did_you_mean(name, TEMPLATES.iter().map(|t| t.name))
}
