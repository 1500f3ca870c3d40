//! Idea themes planted for advocacy and ideas (issue 13): suggestions that
//! customers make of a brand, several phrasings per theme, so clustering can
//! be scored against the planted themes. Domain-neutral: these are things
//! customers of any consumer brand ask for.

/// One theme: an id, a label, and ways to name what is asked for (each
/// variant shares the theme's core word, as people asking for the same
/// thing do, in otherwise varied wording).
pub(crate) struct Theme {
    pub id: &'static str,
    pub label: &'static str,
    pub objects: &'static [&'static str],
}

pub(crate) const THEMES: &[Theme] = &[
    Theme {
        id: "dark_mode",
        label: "dark mode in the app",
        objects: &[
            "a dark mode in the app",
            "a dark theme for the app",
            "dark mode on the mobile app",
            "a proper dark display for the app at night",
        ],
    },
    Theme {
        id: "points_expiry",
        label: "loyalty points that do not expire",
        objects: &[
            "loyalty points that never expire",
            "reward points that don't expire after a year",
            "a longer expiry on loyalty points",
            "no expiry date on reward points",
        ],
    },
    Theme {
        id: "family_accounts",
        label: "family accounts",
        objects: &[
            "family accounts",
            "a shared family account",
            "one account for the whole family",
            "family profiles under a single account",
        ],
    },
    Theme {
        id: "weekend_chat",
        label: "live chat at weekends",
        objects: &[
            "live chat at weekends",
            "weekend live chat support",
            "a live chat that also works on weekends",
            "live chat agents on Saturdays and Sundays",
        ],
    },
    Theme {
        id: "paypal",
        label: "PayPal as a payment option",
        objects: &[
            "PayPal as a payment option",
            "paying with PayPal",
            "PayPal at checkout",
            "PayPal and Apple Pay at checkout",
        ],
    },
    Theme {
        id: "email_receipts",
        label: "receipts by e-mail",
        objects: &[
            "digital receipts",
            "receipts sent straight to my inbox",
            "a digital receipt after every purchase",
            "paperless receipts",
        ],
    },
    Theme {
        id: "price_alerts",
        label: "price drop alerts",
        objects: &[
            "price alerts",
            "alerts when prices drop",
            "a price drop alert",
            "price alert notifications",
        ],
    },
    Theme {
        id: "student_discount",
        label: "a student discount",
        objects: &[
            "a student discount",
            "discounts for students",
            "student pricing",
            "a discount for university students",
        ],
    },
    Theme {
        id: "recyclable_packaging",
        label: "recyclable packaging",
        objects: &[
            "recyclable packaging",
            "less plastic in the packaging",
            "packaging that can be recycled",
            "plastic-free packaging",
        ],
    },
];

/// Ways to ask; `{b}` is the brand as mentioned, `{x}` the theme's object.
pub(crate) const FRAMES: &[&str] = &[
    "{b} please add {x}",
    "It would be great if {b} offered {x}.",
    "I wish {b} had {x}",
    "Suggestion for {b}: {x}",
    "{b}, you should really think about {x}",
    "How about {x}, {b}?",
    "Would love to see {x} from {b}",
    "Dear {b}, {x} would make my life so much easier",
    "Any chance of {x}, {b}? Please consider it",
    "{b} needs {x}. Make it happen!",
];
