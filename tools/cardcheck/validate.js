// Reads one Adaptive Card per line (JSON) on stdin, writes {"ok", "errors"} per line on stdout.
// Parses with the official adaptivecards parser for version 1.5 and collects its parse and
// validation events. Teams-only chart elements are reported as unknown here; the Python side
// checks that they carry a fallback and validates that instead.
const AC = require("adaptivecards/dist/adaptivecards.js");
const readline = require("readline");
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const json = JSON.parse(line);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  const errors = [];
  try { card.parse(json, context); } catch (e) { errors.push("parse: " + e.message); }
  for (let i = 0; i < context.eventCount; i++) {
    const ev = context.getEventAt(i);
    errors.push(`${AC.ValidationEvent[ev.event]}: ${ev.message}`);
  }
  const results = card.validateProperties();
  for (const ev of results.validationEvents) errors.push(`${AC.ValidationEvent[ev.event]}: ${ev.message}`);
  process.stdout.write(JSON.stringify({ ok: errors.length === 0, errors }) + "\n");
});
