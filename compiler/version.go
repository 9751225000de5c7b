package compiler

// Version is trigo's version, written into every manifest and printed by
// `trigo version`.
const Version = "0.1.0"
