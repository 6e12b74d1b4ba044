// The sandbox's chat page: pick a person, chat with Nabo as them. No framework, no build step.
"use strict";

const state = {
  current: null,      // the chosen persona's key
  version: -1,        // the server's version we last saw (long polling)
  counts: {},         // bot messages per persona, from the server
  seen: {},           // bot messages per persona the user has seen
  rendered: new Map() // message id -> [signature, element] for the current chat
};
let poll = null;     // AbortController of the running long poll

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.setAttribute("dir", "auto");
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body)
  };
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

async function act(path, body) {
  try {
    return await api(`/api/chat/${state.current}/${path}`, body);
  } catch (error) {
    toast(error.message);
    return null;
  }
}

function sizeText(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

// A /command in a bot's message is a link that sends it, as in Telegram's clients: a
// slash not after a letter, digit, "_" or "/", so the isolates around a command in
// Arabic text (U+2068 ... U+2069) keep it tappable.
const COMMAND = /(?<![\p{L}\p{N}_\/])\/[A-Za-z0-9_]{1,32}(?![\p{L}\p{N}_\/])/gu;

function withCommands(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(COMMAND)) {
    parts.push(text.slice(last, match.index));
    const link = el("a", {class: "command", href: "#"}, match[0]);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      act("send", {text: match[0]});
    });
    parts.push(link);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function renderMessage(message) {
  const bubble = el("li", {
    class: `msg ${message.from_bot ? "bot" : "user"}`,
    "data-id": message.id
  });
  if (!message.from_bot && state.current === "staff-group") {
    bubble.append(el("div", {class: "sender", dir: "auto"}, message.sender));
  }
  if (message.text) {
    bubble.append(el("div", {class: "text", dir: "auto"},
      ...(message.from_bot ? withCommands(message.text) : [message.text])));
  }
  if (message.contact) bubble.append(el("div", {class: "text"}, `📞 ${message.contact}`));
  if (message.kind) bubble.append(el("div", {class: "text muted"}, `[${message.kind}]`));
  if (message.file) {
    bubble.append(el("a", {class: "file", href: message.file.url, download: message.file.name},
      `📎 ${message.file.name} (${sizeText(message.file.size)})`));
  }
  if (message.buttons.length) {
    const rows = el("div", {class: "inline"});
    for (const row of message.buttons) {
      const line = el("div", {class: "row"});
      for (const button of row) {
        if (button.url) {
          line.append(el("a", {class: "button", href: button.url, target: "_blank",
            rel: "noopener", dir: "auto"}, `${button.text} ↗`));
          continue;
        }
        const node = el("button", {type: "button", dir: "auto"}, button.text);
        node.addEventListener("click", () => press(message.id, button.data, rows));
        line.append(node);
      }
      rows.append(line);
    }
    bubble.append(rows);
  }
  if (message.edited) bubble.append(el("div", {class: "edited"}, "edited"));
  return bubble;
}

async function press(messageId, data, rows) {
  rows.classList.add("busy");
  const answer = await act("press", {message_id: messageId, data: data});
  rows.classList.remove("busy");
  if (answer && answer.answer) toast(answer.answer);
}

function renderMessages(messages) {
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const present = new Set();
  let added = false;
  for (const message of messages) {
    present.add(message.id);
    const signature = JSON.stringify(message);
    const known = state.rendered.get(message.id);
    if (known && known[0] === signature) continue;
    const node = renderMessage(message);
    if (known) {
      known[1].replaceWith(node); // an edit: the same place, new content
    } else {
      list.append(node);
      added = true;
    }
    state.rendered.set(message.id, [signature, node]);
  }
  for (const [id, [, node]] of state.rendered) {
    if (!present.has(id)) {
      node.remove();
      state.rendered.delete(id);
    }
  }
  if (added || atBottom) list.scrollTop = list.scrollHeight;
}

function renderKeyboard(keyboard) {
  const box = $("keyboard");
  box.replaceChildren();
  box.hidden = !keyboard;
  if (!keyboard) return;
  for (const row of keyboard) {
    const line = el("div", {class: "row"});
    for (const button of row) {
      const node = el("button", {type: "button", dir: "auto"},
        button.contact ? `${button.text} (demo number)` : button.text);
      node.addEventListener("click", () => {
        if (button.contact) act("contact", {});
        else act("send", {text: button.text});
      });
      line.append(node);
    }
    box.append(line);
  }
}

function renderCommands(commands) {
  const list = $("commands");
  const signature = JSON.stringify(commands);
  if (list.dataset.signature === signature) return;
  list.dataset.signature = signature;
  list.replaceChildren();
  for (const command of commands) {
    const node = el("button", {type: "button"}, el("code", {}, `/${command.command}`),
      el("span", {dir: "auto"}, command.description));
    node.addEventListener("click", () => {
      showCommands(false);
      act("send", {text: `/${command.command}`});
    });
    list.append(el("li", {}, node));
  }
  $("menu").disabled = commands.length === 0;
}

function showCommands(show) {
  $("commands").hidden = !show;
  $("menu").setAttribute("aria-expanded", String(show));
}

function renderBadges() {
  for (const item of document.querySelectorAll("#personas button")) {
    const key = item.dataset.key;
    const unread = (state.counts[key] || 0) - (state.seen[key] || 0);
    const badge = item.querySelector(".badge");
    badge.textContent = unread > 0 && key !== state.current ? String(unread) : "";
  }
}

async function pollLoop(key) {
  while (state.current === key) {
    poll = new AbortController();
    try {
      const response = await fetch(`/api/chat/${key}?version=${state.version}`,
        {signal: poll.signal});
      if (!response.ok) throw new Error(response.statusText);
      const answer = await response.json();
      if (state.current !== key) return;
      state.version = answer.version;
      state.counts = answer.counts;
      state.seen[key] = answer.counts[key] || 0;
      renderMessages(answer.messages);
      renderKeyboard(answer.keyboard);
      renderCommands(answer.commands);
      renderBadges();
    } catch (error) {
      if (error.name === "AbortError") return;
      // The sandbox stopped or restarted: try again in a moment.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function choose(persona) {
  if (poll) poll.abort();
  state.current = persona.key;
  state.version = -1;
  state.rendered = new Map();
  showCommands(false);
  $("messages").replaceChildren();
  $("chat-title").textContent = persona.label;
  for (const item of document.querySelectorAll("#personas button")) {
    item.setAttribute("aria-pressed", String(item.dataset.key === persona.key));
  }
  history.replaceState(null, "", `#${persona.key}`);
  $("text").focus();
  pollLoop(persona.key);
}

async function start() {
  const answer = await api("/api/personas");
  const list = $("personas");
  for (const persona of answer.personas) {
    const button = el("button", {type: "button", "data-key": persona.key, "aria-pressed": "false"},
      el("span", {class: "name"}, persona.label), el("span", {class: "badge"}));
    button.addEventListener("click", () => choose(persona));
    list.append(el("li", {}, button));
  }
  $("menu").addEventListener("click", () => showCommands($("commands").hidden));
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    if (!text.trim()) return;
    if (await act("send", {text: text})) input.value = "";
  });
  const wanted = location.hash.slice(1);
  choose(answer.personas.find((persona) => persona.key === wanted) || answer.personas[0]);
}

start();
