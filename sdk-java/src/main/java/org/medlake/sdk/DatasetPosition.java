package org.medlake.sdk;

/**
 * Where a {@link Dataset} iteration stands: the epoch and how many samples of this shard's order for that epoch
 * were already delivered, plus a fingerprint of the dataset (cohort, version, seed, shard) it belongs to. Pass
 * {@link #token()} back to {@link Dataset#iterator(DatasetPosition)} (after {@link #parse}) to continue exactly
 * where an interrupted run stopped.
 *
 * @param epoch the epoch, from 0
 * @param offset samples of that epoch already delivered
 * @param fingerprint identifies the dataset configuration the position belongs to
 */
public record DatasetPosition(int epoch, long offset, String fingerprint) {

    /** Validates the components. */
    public DatasetPosition {
        if (epoch < 0 || offset < 0 || fingerprint == null || !fingerprint.matches("[0-9a-f]{16}")) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "Dataset position epoch=" + epoch
                    + " offset=" + offset + " fingerprint=" + fingerprint + " is not valid; use a token from "
                    + "DatasetIterator.position().token().");
        }
    }

    /** A printable token, {@code v1:<epoch>:<offset>:<fingerprint>}, to store with a checkpoint. */
    public String token() {
        return "v1:" + epoch + ":" + offset + ":" + fingerprint;
    }

    /**
     * Parses a {@link #token()}.
     *
     * @throws MedlakeException USER_ERROR if it is not a token of this form
     */
    public static DatasetPosition parse(String token) {
        String[] p = token == null ? new String[0] : token.strip().split(":");
        if (p.length == 4 && p[0].equals("v1")) {
            try {
                return new DatasetPosition(Integer.parseInt(p[1]), Long.parseLong(p[2]), p[3]);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "'" + token + "' is not a dataset position "
                + "token (v1:<epoch>:<offset>:<fingerprint>); pass the string DatasetIterator.position().token() gave.");
    }
}
