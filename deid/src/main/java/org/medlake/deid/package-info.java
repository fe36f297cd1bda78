/**
 * De-identification of DICOM instances against DICOM PS3.15 Annex E: a versioned rule set ({@link
 * org.medlake.deid.DeidProfile}), a pure checker that verifies an instance and explains every finding
 * without printing identifying values ({@link org.medlake.deid.DeidChecker}), a de-identifier that applies
 * the profile with stable pseudonyms, per-patient date shifts and UID remapping and then checks its own output
 * ({@link org.medlake.deid.Deidentifier}), and the {@code deid-check} command
 * ({@link org.medlake.deid.DeidCheckMain}).
 */
package org.medlake.deid;
