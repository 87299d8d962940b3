-- Where a feed's last fetch was sent by permanent redirects, when its URL could not follow: a
-- feed from the config file keeps the URL the file gives it (a start or a reload would otherwise
-- delete it with its items and add the file's URL anew), and a feed moved onto another feed's URL
-- keeps its own. Shown to the operator, who can then change the URL where it is kept.
ALTER TABLE feeds ADD COLUMN moved_to TEXT;
