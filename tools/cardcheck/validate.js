#!/usr/bin/env node
// Is this a valid Adaptive Card 1.5? One card (JSON) per line on stdin, one result per line on
// stdout: {"ok": bool, "errors": [...], "warnings": [...]}. Blank input lines are skipped. Runs
// until stdin closes, so one process serves a whole test session.
//
// No npm package ships the official Adaptive Card 1.5 JSON schema (adaptive-card.json), so the
// checks come from the official object model in the `adaptivecards` package instead:
//   1. its parser and validator, targeting version 1.5 (1.6-only properties, elements and values
//      are reported, as are unknown types, invalid enum values, duplicate ids, empty choice sets);
//   2. a structural pass driven by that same object model: every property a type does not know
//      (a typo such as "isMultiselect" is silently ignored by every renderer), every value of the
//      wrong JSON type ("wrap": "yes"), and the properties the official schema marks required,
//      which the parser itself lets pass (a TextBlock without text, an Image without url).
// Teams chart elements (Chart.*) are unknown to the object model: each must carry a fallback
// element, and that fallback is validated in its place.
"use strict";

const readline = require("readline");
const AC = require("adaptivecards/dist/adaptivecards.js");

const TARGET = AC.Versions.v1_5;
const CHARTS = new Set([
  "Chart.VerticalBar", "Chart.VerticalBar.Grouped", "Chart.HorizontalBar", "Chart.HorizontalBar.Stacked",
  "Chart.Line", "Chart.Pie", "Chart.Donut", "Chart.Gauge",
]);

// "required" lists of the official Adaptive Card 1.5 schema that the parser does not enforce.
const REQUIRED = {
  "TextBlock": ["text"], "Image": ["url"], "ImageSet": ["images"], "Media": ["sources"], "MediaSource": ["url"],
  "RichTextBlock": ["inlines"], "TextRun": ["text"], "FactSet": ["facts"], "Fact": ["title", "value"],
  "Container": ["items"], "TableCell": ["items"], "ActionSet": ["actions"], "BackgroundImage": ["url"],
  "Input.Text": ["id"], "Input.Number": ["id"], "Input.Date": ["id"], "Input.Time": ["id"],
  "Input.Toggle": ["id", "title"], "Input.ChoiceSet": ["id"], "Input.Choice": ["title", "value"],
  "Action.OpenUrl": ["url"], "Action.ToggleVisibility": ["targetElements"],
  "TargetElement": ["elementId"],
};
// Properties held outside each class's property schema (parsed by hand in the object model).
const STRUCTURE = {
  "AdaptiveCard": { body: "elements", actions: "actions" },
  "Container": { items: "elements" },
  "Column": { items: "elements" },
  "TableCell": { items: "elements" },
  "ColumnSet": { columns: "columns" },
  "Table": { rows: "rows" },
  "TableRow": { cells: "cells" },
  "RichTextBlock": { inlines: "inlines" },
  "ActionSet": { actions: "actions" },
  "Action.ShowCard": { card: "card" },
};
const ROOT_EXTRAS = new Set(["msteams"]); // Teams: {"width": "Full"}, mention entities
const WARNING_EVENTS = new Set(["Hint", "Deprecated", "RequiredInputsShouldHaveLabel",
  "RequiredInputsShouldHaveErrorMessage"].map((name) => AC.ValidationEvent[name]).filter((v) => v !== undefined));

const elementRegistry = AC.GlobalRegistry.elements;
const actionRegistry = AC.GlobalRegistry.actions;
const schemaCache = new Map();

function jsonType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function quote(value) {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + "..." : text;
}

// Property name -> PropertyDefinition for one object-model class (cached).
function schemaOf(objectType) {
  let schema = schemaCache.get(objectType);
  if (!schema) {
    schema = new Map();
    const s = new objectType().getSchema();
    for (let i = 0; i < s.getCount(); i++) {
      const prop = s.getItemAt(i);
      if (!schema.has(prop.name)) schema.set(prop.name, prop);
    }
    schemaCache.set(objectType, schema);
  }
  return schema;
}

function registeredType(registry, typeName) {
  const info = typeof typeName === "string" ? registry.findByName(typeName) : undefined;
  return info && info.schemaVersion.compareTo(TARGET) <= 0 ? info.objectType : undefined;
}

class Checker {
  constructor() {
    this.errors = [];
    this.warnings = [];
    this.paths = new Map(); // JSON object (the copy handed to the parser) -> its path
    this.unknownTypes = new Set();
  }

  error(path, message) { this.errors.push(path ? `${path}: ${message}` : message); }

  // A copy of the card in which every chart is replaced by its fallback, checked as it goes.
  prepareElement(node, path, allowDrop) {
    if (typeof node === "string" && allowDrop) {
      if (node.toLowerCase() !== "drop") this.error(path, `fallback must be an element or "drop", not ${quote(node)}`);
      return node;
    }
    if (jsonType(node) !== "object") {
      this.error(path, `an element must be an object, not ${jsonType(node)}`);
      return node;
    }
    const typeName = node.type;
    if (CHARTS.has(typeName)) {
      const label = `${path} (${typeName})`;
      if (jsonType(node.fallback) !== "object") {
        this.error(label, "a chart needs a fallback element (a Table or FactSet with the same numbers): " +
          "Teams clients that draw no charts (iOS) show the fallback");
        return { type: "Container", items: [] };
      }
      return this.prepareElement(node.fallback, `${path}.fallback`, false);
    }
    return this.prepareObject(node, path, "element");
  }

  prepareAction(node, path, allowDrop) {
    if (typeof node === "string" && allowDrop) {
      if (node.toLowerCase() !== "drop") this.error(path, `fallback must be an action or "drop", not ${quote(node)}`);
      return node;
    }
    if (jsonType(node) !== "object") {
      this.error(path, `an action must be an object, not ${jsonType(node)}`);
      return node;
    }
    return this.prepareObject(node, path, "action");
  }

  prepareList(value, path, each) {
    if (!Array.isArray(value)) {
      this.error(path, `must be an array, not ${jsonType(value)}`);
      return value;
    }
    return value.map((item, i) => each(item, `${path}[${i}]`));
  }

  // kind: "element" | "action" | "card" | an implicit class name (Column, TableRow, TableCell, TextRun)
  prepareObject(node, path, kind, objectTypeHint) {
    let typeName = node.type;
    let objectType;
    if (kind === "element" || kind === "action") {
      const registry = kind === "element" ? elementRegistry : actionRegistry;
      objectType = registeredType(registry, typeName);
      if (!objectType) {
        const known = typeof typeName === "string" && registry.findByName(typeName);
        const what = kind === "element" ? "element" : "action";
        this.unknownTypes.add(typeName);
        if (typeName === undefined) this.error(path, `the ${what} has no "type"`);
        else if (known) this.error(`${path} (${typeName})`, `${typeName} needs Adaptive Cards ${known.schemaVersion}; Teams supports 1.5`);
        else this.error(`${path} (${quote(typeName)})`, `unknown ${what} type ${quote(typeName)}` +
          (jsonType(node.fallback) === "object" ? " (its fallback is used instead)" : ""));
        const copy = Object.assign({}, node);
        if ("fallback" in node) {
          copy.fallback = kind === "element"
            ? this.prepareElement(node.fallback, `${path}.fallback`, true)
            : this.prepareAction(node.fallback, `${path}.fallback`, true);
        }
        this.paths.set(copy, path);
        return copy;
      }
    } else if (kind === "card") {
      objectType = AC.AdaptiveCard;
      typeName = "AdaptiveCard";
      if (node.type !== "AdaptiveCard") this.error(path, `"type" must be "AdaptiveCard", not ${quote(node.type)}`);
    } else {
      objectType = objectTypeHint;
      if (node.type !== undefined && node.type !== kind) this.error(path, `"type" must be ${quote(kind)}, not ${quote(node.type)}`);
      typeName = kind;
    }
    const label = `${path} (${typeName})`;
    const schema = schemaOf(objectType);
    const structure = STRUCTURE[typeName] || {};
    const copy = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "fallback" && (kind === "element" || kind === "action")) {
        copy[key] = kind === "element"
          ? this.prepareElement(value, `${path}.fallback`, true)
          : this.prepareAction(value, `${path}.fallback`, true);
      } else if (key === "fallback") {
        copy[key] = value; // Column / TableCell fallbacks: left to the parser
      } else if (key in structure) {
        copy[key] = this.prepareStructure(structure[key], value, `${path}.${key}`);
      } else if (schema.has(key)) {
        copy[key] = this.prepareProperty(schema.get(key), key, value, `${path}.${key}`, label);
      } else if (path === "card" && ROOT_EXTRAS.has(key)) {
        copy[key] = value;
      } else {
        this.error(label, `unknown property ${quote(key)} (ignored by every renderer; a typo?)`);
        copy[key] = value;
      }
    }
    for (const key of REQUIRED[typeName] || []) {
      if (!(key in node)) this.error(label, `required property ${quote(key)} is missing`);
    }
    this.paths.set(copy, path);
    return copy;
  }

  prepareStructure(what, value, path) {
    switch (what) {
      case "elements": return this.prepareList(value, path, (v, p) => this.prepareElement(v, p, false));
      case "actions": return this.prepareList(value, path, (v, p) => this.prepareAction(v, p, false));
      case "columns": return this.prepareList(value, path, (v, p) => this.prepareTyped(v, p, "Column", AC.Column));
      case "rows": return this.prepareList(value, path, (v, p) => this.prepareTyped(v, p, "TableRow", AC.TableRow));
      case "cells": return this.prepareList(value, path, (v, p) => this.prepareTyped(v, p, "TableCell", AC.TableCell));
      case "inlines": return this.prepareList(value, path, (v, p) =>
        typeof v === "string" ? v : this.prepareTyped(v, p, "TextRun", AC.TextRun));
      case "card":
        if (jsonType(value) !== "object") {
          this.error(path, `must be an AdaptiveCard object, not ${jsonType(value)}`);
          return value;
        }
        return this.prepareObject(value, path, "card");
      default: return value;
    }
  }

  prepareTyped(value, path, kind, objectType) {
    if (jsonType(value) !== "object") {
      this.error(path, `a ${kind} must be an object, not ${jsonType(value)}`);
      return value;
    }
    return this.prepareObject(value, path, kind, objectType);
  }

  // One property of a known class: its JSON type, and nested objects recursively.
  prepareProperty(prop, key, value, path, label) {
    const kind = prop.constructor;
    const want = (type) => {
      if (jsonType(value) !== type) {
        this.error(label, `${quote(key)} must be ${type === "array" || type === "object" ? "an" : "a"} ${type}, not ${value === null ? "null" : `${jsonType(value)} ${quote(value)}`}`);
        return false;
      }
      return true;
    };
    if (prop.targetVersion.compareTo(TARGET) > 0) return value; // reported by the parser (1.6-only)
    if (kind === AC.StringProperty || kind === AC.EnumProperty || kind === AC.ValueSetProperty ||
        kind === AC.ContainerStyleProperty || kind === AC.PixelSizeProperty || kind === AC.TimeProperty) {
      want("string");
    } else if (kind === AC.BoolProperty) {
      want("boolean");
    } else if (kind === AC.NumProperty) {
      want("number");
    } else if (kind === AC.StringArrayProperty) {
      if (want("array")) value.forEach((v, i) => { if (typeof v !== "string") this.error(label, `${quote(key)}[${i}] must be a string`); });
    } else if (kind === AC.ActionProperty) {
      if (want("object")) return this.prepareAction(value, path, false);
    } else if (kind === AC.SerializableObjectCollectionProperty) {
      if (want("array")) return value.map((item, i) => this.prepareNested(prop.objectType, item, `${path}[${i}]`));
    } else if (kind === AC.SerializableObjectProperty) {
      if (prop.objectType === AC.HostCapabilities) {
        if (want("object")) {
          for (const [name, version] of Object.entries(value)) {
            if (typeof version !== "string") this.error(label, `"requires" maps a feature name to a version string: ${quote(name)}`);
          }
        }
      } else if (prop.objectType === AC.BackgroundImage && typeof value === "string") {
        return value;
      } else if (want("object")) {
        return this.prepareNested(prop.objectType, value, path);
      }
    } else if (key === "targetElements") {
      if (want("array")) {
        value.forEach((target, i) => {
          if (typeof target === "string") return;
          if (jsonType(target) !== "object") {
            this.error(label, `targetElements[${i}] must be an element id or {"elementId": ...}`);
            return;
          }
          const tlabel = `${path}[${i}] (TargetElement)`;
          for (const [k, v] of Object.entries(target)) {
            if (k === "elementId") { if (typeof v !== "string") this.error(tlabel, `"elementId" must be a string`); }
            else if (k === "isVisible") { if (typeof v !== "boolean") this.error(tlabel, `"isVisible" must be a boolean`); }
            else if (k !== "type") this.error(tlabel, `unknown property ${quote(k)}`);
          }
          if (!("elementId" in target)) this.error(tlabel, `required property "elementId" is missing`);
        });
      }
    } else if (key === "associatedInputs") {
      if (value !== "auto" && value !== "none" && !(typeof value === "string" && /^(auto|none)$/i.test(value))) {
        this.error(label, `"associatedInputs" must be "auto" or "none", not ${quote(value)}`);
      }
    }
    return value;
  }

  // A nested object of a plain class (Fact, Input.Choice, TableColumnDefinition, MediaSource, ...).
  prepareNested(objectType, value, path) {
    const isElement = objectType.prototype instanceof AC.CardElement;
    if (jsonType(value) !== "object") {
      this.error(path, `must be an object, not ${jsonType(value)}`);
      return value;
    }
    const name = isElement ? new objectType().getJsonTypeName() : (objectType === AC.Choice ? "Input.Choice" : objectType.name);
    if (isElement) return this.prepareObject(value, path, name, objectType);
    const label = `${path} (${name})`;
    const schema = schemaOf(objectType);
    const copy = {};
    for (const [key, v] of Object.entries(value)) {
      if (schema.has(key)) copy[key] = this.prepareProperty(schema.get(key), key, v, `${path}.${key}`, label);
      else if (key === "type") {
        if (v !== name) this.error(label, `"type" must be ${quote(name)}, not ${quote(v)}`);
        copy[key] = v;
      } else {
        this.error(label, `unknown property ${quote(key)}`);
        copy[key] = v;
      }
    }
    for (const key of REQUIRED[name] || []) {
      if (!(key in value)) this.error(label, `required property ${quote(key)} is missing`);
    }
    return copy;
  }
}

function describeEvent(checker, event, sources) {
  const name = AC.ValidationEvent[event.event] || "Other";
  let path;
  for (let o = event.source; o && !path; o = o.parent) {
    const json = sources.get(o);
    if (json) path = checker.paths.get(json);
  }
  return (path ? `${path}: ` : "") + `${event.message} [${name}]`;
}

function validate(card) {
  const checker = new Checker();
  if (jsonType(card) !== "object") return { ok: false, errors: [`a card must be a JSON object, not ${jsonType(card)}`], warnings: [] };

  if (card.version === undefined) checker.error("card", `"version" is required on the root card`);
  else {
    const version = typeof card.version === "string" ? AC.Version.parse(card.version, new AC.SerializationContext()) : undefined;
    if (!version || !version.isValid) checker.error("card", `"version" must be a version string such as "1.5", not ${quote(card.version)}`);
    else if (version.compareTo(TARGET) > 0) checker.error("card", `version ${card.version} is newer than the target version 1.5`);
  }
  const prepared = checker.prepareObject(card, "card", "card");

  // The official parser and validator, at version 1.5, on the card with charts replaced by fallbacks.
  const sources = new Map();
  const context = new AC.SerializationContext(TARGET);
  context.onParseElement = (element, source) => sources.set(element, source);
  context.onParseAction = (action, source) => sources.set(action, source);
  const parsed = new AC.AdaptiveCard();
  const events = [];
  try {
    parsed.parse(prepared, context);
    for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
    sources.set(parsed, prepared);
    events.push(...parsed.validateProperties().validationEvents);
  } catch (e) {
    checker.error("card", `the adaptivecards parser failed: ${e && e.message}`);
  }
  const unknown = new Set([AC.ValidationEvent.UnknownElementType, AC.ValidationEvent.UnknownActionType]);
  for (const event of events) {
    // Unknown types were reported above with their place in the card.
    if (unknown.has(event.event) && [...checker.unknownTypes].some((t) => event.message.includes(JSON.stringify(String(t))))) continue;
    const text = describeEvent(checker, event, sources);
    if (WARNING_EVENTS.has(event.event)) checker.warnings.push(text);
    else checker.errors.push(text);
  }
  const errors = [...new Set(checker.errors)];
  return { ok: errors.length === 0, errors, warnings: [...new Set(checker.warnings)] };
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    let result;
    try {
      result = validate(JSON.parse(line));
    } catch (e) {
      result = { ok: false, errors: [`not a JSON card: ${e && e.message}`], warnings: [] };
    }
    process.stdout.write(JSON.stringify(result) + "\n");
  });
}

if (require.main === module) main();
module.exports = { validate };
