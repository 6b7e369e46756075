-- A case staff have marked urgent (issue 12, the work queue's "Urgent" view).
-- Few cases are urgent at a time, so the view reads them through this key and
-- sorts that handful; a caseworker's are the second column.
ALTER TABLE `iset_case`
  ADD COLUMN `urgent` TINYINT(1) NOT NULL DEFAULT 0,
  ADD KEY `ix_case_urgent_assigned` (`urgent`, `assigned_staff_profile_id`);
