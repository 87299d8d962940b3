-- The marks of the item logs (item ids, edit numbers, deletion numbers) through which serve's
-- WebSub hub has sent its subscribers every change: its own passes' and those another process made
-- (a `feedsieve ingest` run beside it). Kept once the deliveries for them are made, or recorded to
-- be made again, so that a hub that starts sends what came past them while no hub was sending:
-- deliveries a crash or a stop cut short, items stored while serve was down. One row; none until a
-- hub first keeps its marks, and a hub that finds none starts from where the logs stand.
CREATE TABLE hub_item_marks (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  item     INTEGER NOT NULL,
  edit     INTEGER NOT NULL,
  deletion INTEGER NOT NULL
);
