-- The version of the HTML allowlist content_html was sanitized with (SANITIZE_POLICY in
-- src/html/sanitize.ts). Content sanitized under the current one is republished as stored; older
-- rows, and these from before the version was kept (0), are sanitized again when served. Sanitizing
-- every entry of every rendered feed again took three quarters of a render at 1,000,000 items.
ALTER TABLE items ADD COLUMN sanitized_with INTEGER NOT NULL DEFAULT 0;
