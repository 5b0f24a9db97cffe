CREATE TABLE `chapters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` integer NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chapters_plan_position` ON `chapters` (`plan_id`,`position`);--> statement-breakpoint
CREATE TABLE `indicator_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`indicator_id` integer NOT NULL,
	`year` integer NOT NULL,
	`comparator` text NOT NULL,
	`value` real NOT NULL,
	`source_text` text NOT NULL,
	FOREIGN KEY (`indicator_id`) REFERENCES `indicators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indicator_targets_indicator_year` ON `indicator_targets` (`indicator_id`,`year`);--> statement-breakpoint
CREATE TABLE `indicators` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` integer NOT NULL,
	`key` text NOT NULL,
	`task_id` integer NOT NULL,
	`measure_id` integer,
	`name` text NOT NULL,
	`source_text` text NOT NULL,
	`comparator` text NOT NULL,
	`value` real NOT NULL,
	`unit` text NOT NULL,
	`direction` text NOT NULL,
	`target_year` integer,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`measure_id`) REFERENCES `measures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `indicators_plan_key` ON `indicators` (`plan_id`,`key`);--> statement-breakpoint
CREATE INDEX `indicators_task` ON `indicators` (`task_id`);--> statement-breakpoint
CREATE TABLE `measure_owners` (
	`measure_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`measure_id`, `unit_id`),
	FOREIGN KEY (`measure_id`) REFERENCES `measures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `measure_owners_unit` ON `measure_owners` (`unit_id`);--> statement-breakpoint
CREATE TABLE `measures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`position` integer NOT NULL,
	`no` integer,
	`text` text NOT NULL,
	`targets_text` text NOT NULL,
	`deadline_kind` text,
	`deadline_date` text,
	`deadline_text` text,
	`source_line` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `measures_task_position` ON `measures` (`task_id`,`position`);--> statement-breakpoint
CREATE TABLE `milestones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`measure_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`year` integer,
	`due_date` text,
	`text` text NOT NULL,
	FOREIGN KEY (`measure_id`) REFERENCES `measures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `milestones_measure_position` ON `milestones` (`measure_id`,`position`);--> statement-breakpoint
CREATE INDEX `milestones_year` ON `milestones` (`year`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`title` text NOT NULL,
	`issuer` text NOT NULL,
	`published_on` text NOT NULL,
	`start_year` integer NOT NULL,
	`end_year` integer NOT NULL,
	`source_file` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_code_unique` ON `plans` (`code`);--> statement-breakpoint
CREATE TABLE `task_units` (
	`task_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`role` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`task_id`, `role`, `unit_id`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_units_unit` ON `task_units` (`unit_id`,`role`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`plan_id` integer NOT NULL,
	`chapter_id` integer NOT NULL,
	`no` integer NOT NULL,
	`title` text NOT NULL,
	`lead_units_text` text NOT NULL,
	`responsible_units_text` text NOT NULL,
	`leads_each_own_part` integer NOT NULL,
	`deadline_kind` text,
	`deadline_date` text,
	`deadline_text` text,
	`source_lines` text NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`chapter_id`) REFERENCES `chapters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_plan_no` ON `tasks` (`plan_id`,`no`);--> statement-breakpoint
CREATE INDEX `tasks_chapter` ON `tasks` (`chapter_id`);--> statement-breakpoint
CREATE TABLE `unit_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`unit_id` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `unit_members` (
	`collective_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	PRIMARY KEY(`collective_id`, `member_id`),
	FOREIGN KEY (`collective_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `unit_members_member` ON `unit_members` (`member_id`);--> statement-breakpoint
CREATE TABLE `units` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `units_name_unique` ON `units` (`name`);