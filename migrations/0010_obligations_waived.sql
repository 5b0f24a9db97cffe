ALTER TABLE `obligations` ADD `waived_at` text;--> statement-breakpoint
ALTER TABLE `obligations` ADD `waived_by_revision_id` integer REFERENCES plan_revisions(id);