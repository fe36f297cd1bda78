package org.medlake.curation.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.medlake.nifti.NiftiConverter;
import org.medlake.nifti.NiftiException;
import org.medlake.nifti.NiftiResult;

/**
 * The DICOM→NIfTI step of curation: converts one series with {@link NiftiConverter} and stores its outputs in the
 * lake's derived store, {@code derived/nifti/<series uid>/<name>.nii.gz} with the {@code .json} sidecar and, for
 * diffusion, {@code .bval}/{@code .bvec}. Each file is written to a temporary name and moved into place, so a killed
 * run never leaves a partial output under a final name; a re-run rewrites the same names. A series that cannot be
 * converted gives one {@link Output} with status {@code FAILED} (or {@code NOT_IMAGE}) and the reason, never an
 * exception.
 */
final class NiftiStep {
    /** Modalities whose instances hold no image to convert. */
    private static final Set<String> NOT_IMAGE_MODALITIES = Set.of("SR", "KO", "PR", "RTSTRUCT", "RTPLAN", "RTRECORD",
            "ECG", "HD", "AU", "DOC", "REG", "FID", "PLAN", "ANN");

    /** One {@code nifti} table row, before the run-level columns are added. */
    record Output(String status, String reason, int index, String name, String location, String sidecarLocation,
                  String bvalLocation, String bvecLocation, String sha256, Long sizeBytes, List<Integer> dims,
                  List<Double> pixdim, List<String> inputSopInstanceUids) {
        String logLine() {
            return status.equals("CONVERTED") ? location + " " + dims : status + " " + reason;
        }
    }

    private NiftiStep() {}

    /** The converter's version, recorded with every row. */
    static String converterVersion() {
        return "medlake-nifti " + CodeVersion.build();
    }

    /**
     * Converts the series made of {@code files} and writes its outputs under {@code lakeRoot}.
     *
     * @param modality the series' modality, used to tell "nothing to convert" from a failure
     */
    static List<Output> convert(Path lakeRoot, String seriesUid, String modality, List<Path> files) {
        List<NiftiResult> results;
        try {
            results = NiftiConverter.convertSeries(files);
        } catch (NiftiException e) {
            boolean notImage = e.code() == NiftiException.ErrorCode.NIFTI_UNSUPPORTED
                    && modality != null && NOT_IMAGE_MODALITIES.contains(modality.toUpperCase(Locale.ROOT));
            return List.of(failed(notImage ? "NOT_IMAGE" : "FAILED", e.code() + ": " + e.getMessage()));
        } catch (RuntimeException | OutOfMemoryError e) {
            return List.of(failed("FAILED", "NIFTI_INTERNAL: conversion failed unexpectedly: " + e
                    + ". Cause: a bug or an input the converter does not expect. Fix: report it with the series."));
        }
        String folder = "derived/nifti/" + safe(seriesUid);
        List<Output> out = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try {
            for (int i = 0; i < results.size(); i++) {
                NiftiResult r = results.get(i);
                String name = unique(safe(r.baseName()), names);
                Path dir = lakeRoot.resolve(folder);
                Files.createDirectories(dir);
                String[] digest = new String[1];
                long size = writeAtomically(dir.resolve(name + ".nii.gz"), os -> {
                    MessageDigest md = sha256();
                    try (DigestOutputStream d = new DigestOutputStream(nonClosing(os), md)) {
                        r.writeTo(d, true);
                    }
                    digest[0] = HexFormat.of().formatHex(md.digest());
                });
                String sidecar = null;
                if (r.sidecarJson() != null) {
                    sidecar = folder + "/" + name + ".json";
                    writeText(lakeRoot.resolve(sidecar), r.sidecarJson());
                }
                String bval = null;
                String bvec = null;
                if (r.bval() != null && r.bvec() != null) {
                    bval = folder + "/" + name + ".bval";
                    bvec = folder + "/" + name + ".bvec";
                    writeText(lakeRoot.resolve(bval), r.bval());
                    writeText(lakeRoot.resolve(bvec), r.bvec());
                }
                int[] dim = r.dims();
                double[] pix = r.header().pixdim();
                List<Integer> dims = new ArrayList<>();
                List<Double> pixdim = new ArrayList<>();
                for (int d = 0; d < dim.length; d++) {
                    dims.add(dim[d]);
                    if (d + 1 < pix.length) {
                        pixdim.add(pix[d + 1]);
                    }
                }
                out.add(new Output("CONVERTED", null, i, name, folder + "/" + name + ".nii.gz", sidecar, bval, bvec,
                        digest[0], size, dims, pixdim, List.copyOf(r.sopInstanceUids())));
            }
        } catch (IOException | RuntimeException e) {
            return List.of(failed("FAILED", "NIFTI_IO: cannot write the NIfTI outputs under " + lakeRoot.resolve(folder)
                    + ": " + e + ". Fix: make the lake writable and curate again."));
        }
        return out;
    }

    private static Output failed(String status, String reason) {
        return new Output(status, reason, 0, null, null, null, null, null, null, null, List.of(), List.of(), List.of());
    }

    interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to a temporary sibling and moves it over {@code target}; returns the size written. */
    private static long writeAtomically(Path target, Body body) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                body.write(os);
            }
            long size = Files.size(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return size;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeText(Path target, String text) throws IOException {
        writeAtomically(target, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static OutputStream nonClosing(OutputStream os) {
        return new java.io.FilterOutputStream(os) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static String unique(String name, List<String> taken) {
        String n = name.isEmpty() ? "series" : name;
        String candidate = n;
        for (int k = 2; taken.contains(candidate); k++) {
            candidate = n + "_" + k;
        }
        taken.add(candidate);
        return candidate;
    }

    /** A file-name-safe form of a UID or name. */
    static String safe(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }
}
