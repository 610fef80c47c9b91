import { useNavigate } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { MAX_QUERY_LENGTH, type SearchKind } from "~/schemas/search.ts";
import { Highlighted } from "./highlight.tsx";
import type { HighlightPart } from "~/utils/highlight.ts";

interface Suggestion {
  id: string;
  href: string;
  title: string;
  parts: HighlightPart[];
}

const DEBOUNCE_MS = 200;

/**
 * The search words box. On the server (and without JavaScript) it is a plain text input of the
 * GET form. Once hydrated it becomes an ARIA 1.2 combobox: as one types it fetches
 * /search/suggest (debounced, stale answers dropped) and lists matching titles in a listbox;
 * ↓/↑ move through them (aria-activedescendant, focus stays in the box), Enter opens the active
 * one, Escape closes the list (a second Escape clears the box), and Enter with nothing active
 * submits the form as usual.
 */
export function SearchBox({ kind, defaultValue, autoFocus = false }: { kind: SearchKind; defaultValue: string; autoFocus?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const id = useId();
  const inputId = `${id}-q`;
  const listId = `${id}-listbox`;
  const [hydrated, setHydrated] = useState(false);
  const [value, setValue] = useState(defaultValue);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [announce, setAnnounce] = useState("");
  const request = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => setHydrated(true), []);
  // A new address (tab, removed filter, back button) brings its own words.
  useEffect(() => {
    setValue(defaultValue);
    setOpen(false);
  }, [defaultValue]);
  useEffect(
    () => () => {
      request.current?.abort();
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  function close() {
    setOpen(false);
    setActive(-1);
  }

  function fetchSuggestions(q: string) {
    if (timer.current) clearTimeout(timer.current);
    request.current?.abort();
    const words = q.trim();
    if (!words) {
      setItems([]);
      close();
      return;
    }
    timer.current = setTimeout(async () => {
      const controller = new AbortController();
      request.current = controller;
      try {
        const res = await fetch(`/search/suggest?${new URLSearchParams({ kind, q: words })}`, {
          signal: controller.signal,
          headers: { Accept: "application/json" },
        });
        const body = (await res.json()) as { items?: Suggestion[] };
        if (controller.signal.aborted) return;
        const next = res.ok ? (body.items ?? []) : [];
        setItems(next);
        setActive(-1);
        setOpen(next.length > 0);
        setAnnounce(next.length ? t("search.suggestions.count", { count: next.length }) : "");
      } catch {
        // Aborted by newer typing, or offline: the box still submits the form.
      }
    }, DEBOUNCE_MS);
  }

  function choose(item: Suggestion) {
    close();
    navigate(item.href);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!items.length) return;
      e.preventDefault();
      if (!open) {
        setOpen(true);
        setActive(e.key === "ArrowDown" ? 0 : items.length - 1);
        return;
      }
      const step = e.key === "ArrowDown" ? 1 : -1;
      // Past either end the focus returns to the typed words (active -1).
      setActive((a) => {
        const next = a + step;
        return next < -1 ? items.length - 1 : next >= items.length ? -1 : next;
      });
    } else if (e.key === "Enter") {
      const item = open ? items[active] : undefined;
      if (item) {
        e.preventDefault();
        choose(item);
      } else close();
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        close();
      } else if (value) {
        e.preventDefault();
        setValue("");
        setItems([]);
      }
    } else if (e.key === "Tab") {
      close();
    }
  }

  const expanded = hydrated && open && items.length > 0;
  const activeId = expanded && active >= 0 ? `${listId}-${active}` : undefined;
  const comboProps = hydrated
    ? {
        role: "combobox" as const,
        "aria-autocomplete": "list" as const,
        "aria-expanded": expanded,
        "aria-controls": listId,
        "aria-activedescendant": activeId,
        autoComplete: "off",
      }
    : {};

  return (
    <div className="search-box">
      <label htmlFor={inputId} className="sr-only">
        {t("search.label")}
      </label>
      <input
        id={inputId}
        type="search"
        name="q"
        className="search-box__input"
        value={value}
        maxLength={MAX_QUERY_LENGTH}
        placeholder={t(`search.placeholder.${kind}`)}
        enterKeyHint="search"
        autoFocus={autoFocus}
        data-testid="search-input"
        onChange={(e) => {
          setValue(e.target.value);
          fetchSuggestions(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(close, 150)}
        onFocus={() => items.length && value.trim() && setOpen(true)}
        {...comboProps}
      />
      {hydrated ? (
        <ul
          id={listId}
          role="listbox"
          aria-label={t("search.suggestions.label")}
          className="search-box__list"
          hidden={!expanded}
          data-testid="suggestions"
        >
          {items.map((item, i) => (
            <li
              key={item.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={`search-box__option${i === active ? " is-active" : ""}`}
              // Keep the focus in the box: the click still lands.
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => setActive(i)}
              onClick={() => choose(item)}
            >
              <Highlighted parts={item.parts} />
            </li>
          ))}
        </ul>
      ) : null}
      <span className="sr-only" aria-live="polite" role="status">
        {announce}
      </span>
    </div>
  );
}
