CREATE TABLE `plan_revision_units` (
	`revision_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	PRIMARY KEY(`revision_id`, `unit_id`),
	FOREIGN KEY (`revision_id`) REFERENCES `plan_revisions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_revision_units_unit` ON `plan_revision_units` (`unit_id`,`revision_id`);--> statement-breakpoint
CREATE TABLE `plan_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` integer,
	`entity` text NOT NULL,
	`entity_id` integer NOT NULL,
	`action` text NOT NULL,
	`at` text NOT NULL,
	`effective_on` text NOT NULL,
	`key_id` integer,
	`reason` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_revisions_plan` ON `plan_revisions` (`plan_id`,`id`);--> statement-breakpoint
CREATE INDEX `plan_revisions_entity` ON `plan_revisions` (`entity`,`entity_id`,`id`);--> statement-breakpoint
CREATE INDEX `plan_revisions_at` ON `plan_revisions` (`at`);--> statement-breakpoint
ALTER TABLE `chapters` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `indicators` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `measures` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `milestones` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `retired_at` text;--> statement-breakpoint
ALTER TABLE `units` ADD `retired_at` text;--> statement-breakpoint
CREATE TRIGGER `plan_revisions_no_update` BEFORE UPDATE ON `plan_revisions` BEGIN SELECT RAISE(ABORT, 'plan revisions are append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `plan_revisions_no_delete` BEFORE DELETE ON `plan_revisions` BEGIN SELECT RAISE(ABORT, 'plan revisions are append-only'); END;
