package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-check against the real dcm2niix on synthetic series the shared corpus lacks: diffusion (bval/bvec) in axial,
 * sagittal, coronal and double-oblique orientations, an oblique fMRI-like 4D series, CT with rescale (signed,
 * unsigned, non-unit slope), signed and 12-bit MR, and 3D series with non-square matrices and anisotropic pixels.
 *
 * <p>Every case is written with PixelMed (slices written in reverse order under shuffled file names), converted by
 * {@link NiftiConverter} and by {@code dcm2niix -b y -z n -f %s} and compared: dimensions, every voxel after scaling,
 * datatype and scl_slope/scl_inter, every sform element (1e-3 mm), qform code, qfac, offset and the rotation of the
 * quaternion, bval and bvec (numerically, 1e-4) and the core sidecar fields. The results table is printed and written
 * to {@code target/dcm2niix-crosscheck.md} (docs/nifti.md carries a copy).
 *
 * <p>dcm2niix is installed through {@code infra/bin/ensure-packages dcm2niix} when missing; the test is skipped only
 * when it cannot be installed (not root and absent).
 */
class Dcm2niixCrossCheckIT {
    /** Sidecar fields compared with dcm2niix's JSON. */
    static final List<String> SIDECAR_FIELDS = List.of("EchoTime", "RepetitionTime", "FlipAngle", "SliceThickness",
            "SeriesNumber", "Modality");

    /** The one case where dcm2niix is the one that is off (its bvec), with the reason (see docs/nifti.md). */
    static final String UNKNOWN_VENDOR_SEQUENCE = "dcm2niix v1.0.20220720 reads DiffusionGradientOrientation "
            + "(0018,9089) only once it knows the vendor is Siemens or Philips; for an unknown Manufacturer it assumes "
            + "Philips when it meets DiffusionBValue (0018,9087), which in an MRDiffusionSequence item comes after the "
            + "DiffusionGradientDirectionSequence holding the gradient, so every bvec is 0 0 0 while the b-values are "
            + "kept. medlake's bvec equals dcm2niix's for the same series with top-level attributes.";

    private static String dcm2niix;
    private static final List<String[]> ROWS = Collections.synchronizedList(new ArrayList<>());

    /** Inputs and both tools' outputs of each case are kept under {@code target/dcm2niix-crosscheck/<case>}. */
    static final Path WORK = Path.of("target", "dcm2niix-crosscheck");

    // ---------------------------------------------------------------- the synthetic series

    /** Stored value of voxel (volume t, slice position z along the normal, row r, column c). */
    interface PixelFn {
        int value(int t, int z, int r, int c);
    }

    /** One synthetic series. Slice z lies at origin + z × thickness × normal. */
    static final class Spec {
        final String name;
        String modality = "MR";
        int rows = 16;
        int columns = 16;
        int nz = 4;
        int nt = 1;
        double[] iop = {1, 0, 0, 0, 1, 0};
        double[] origin = {-60.5, -70.25, -20};
        double[] spacing = {1.5, 1.5};
        double thickness = 3;
        int bitsStored = 16;
        boolean signed;
        Double slope;
        Double intercept;
        /** RescaleIntercept per slice position (overrides {@link #intercept}). */
        double[] interceptPerSlice;
        String acquisitionType;
        double[] bValues;
        double[][] gradients;
        /** Diffusion attributes in an MRDiffusionSequence item instead of top level. */
        boolean diffusionInSequence;
        /** TemporalPositionIdentifier per volume (fMRI-like). */
        boolean temporalPositions;
        /** InstanceNumbers run against the slice normal (last position first), as some scanners number them. */
        boolean numberAgainstNormal;
        /** Manufacturer (0008,0070); "ACME" is a vendor neither tool knows. */
        String manufacturer = "ACME";
        /**
         * Why dcm2niix's bval/bvec are wrong for this series (null when they are not): then medlake's are compared with
         * dcm2niix's output for the same series written with top-level diffusion attributes, which it reads correctly.
         */
        String dcm2niixBvecOff;
        PixelFn pixel;

        Spec(String name) {
            this.name = name;
            this.pixel = (t, z, r, c) -> 1 + ((t * nz + z) * rows + r) * columns + c;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static double[] rotate(double[][] m, double[] v) {
        return new double[] {m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
                m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2], m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2]};
    }

    static double[][] mul(double[][] a, double[][] b) {
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    m[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return m;
    }

    static double[][] rx(double deg) {
        double a = Math.toRadians(deg), c = Math.cos(a), s = Math.sin(a);
        return new double[][] {{1, 0, 0}, {0, c, -s}, {0, s, c}};
    }

    static double[][] ry(double deg) {
        double a = Math.toRadians(deg), c = Math.cos(a), s = Math.sin(a);
        return new double[][] {{c, 0, s}, {0, 1, 0}, {-s, 0, c}};
    }

    static double[][] rz(double deg) {
        double a = Math.toRadians(deg), c = Math.cos(a), s = Math.sin(a);
        return new double[][] {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
    }

    /** ImageOrientationPatient of an axial plane turned by {@code m}. */
    static double[] iop(double[][] m) {
        double[] r = rotate(m, new double[] {1, 0, 0});
        double[] c = rotate(m, new double[] {0, 1, 0});
        return new double[] {r[0], r[1], r[2], c[0], c[1], c[2]};
    }

    static final double[] AXIAL = {1, 0, 0, 0, 1, 0};
    static final double[] SAGITTAL = {0, 1, 0, 0, 0, -1};
    static final double[] CORONAL = {1, 0, 0, 0, 0, -1};
    /** Double oblique: an axial plane tilted 20° about x, then 15° about y. */
    static final double[] DOUBLE_OBLIQUE = iop(mul(ry(15), rx(20)));

    /** b = 0 plus seven directions, most of them not along an axis (patient space, LPS). */
    static final double[] B_VALUES = {0, 1000, 1000, 1000, 1000, 1000, 1000, 2000};
    static final double[][] GRADIENTS = {null, {1, 0, 0}, {0.707107, 0.707107, 0}, {0, 0.6, -0.8},
            {0.267261, -0.534522, 0.801784}, {-0.57735, 0.57735, 0.57735}, {0.8, 0, 0.6}, {0.1, 0.2, 0.974679}};

    static Spec dwi(String name, double[] iop, boolean inSequence) {
        Spec s = new Spec(name);
        s.manufacturer = inSequence ? "Philips Medical Systems" : "ACME";
        s.nt = B_VALUES.length;
        s.iop = iop;
        s.bValues = B_VALUES;
        s.gradients = GRADIENTS;
        s.diffusionInSequence = inSequence;
        s.spacing = new double[] {2, 2};
        s.thickness = 2.5;
        return s;
    }

    static Stream<Spec> cases() {
        List<Spec> c = new ArrayList<>();
        c.add(dwi("dwi_axial", AXIAL, false));
        Spec sag = dwi("dwi_sagittal", SAGITTAL, false);
        sag.numberAgainstNormal = true;
        c.add(sag);
        c.add(dwi("dwi_coronal_mrdiffusionseq", CORONAL, true));
        Spec obl = dwi("dwi_double_oblique", DOUBLE_OBLIQUE, false);
        obl.numberAgainstNormal = true;
        c.add(obl);
        c.add(dwi("dwi_double_oblique_mrdiffusionseq", DOUBLE_OBLIQUE, true));
        Spec unknownVendorSeq = dwi("dwi_double_oblique_mrdiffusionseq_unknown_vendor", DOUBLE_OBLIQUE, true);
        unknownVendorSeq.manufacturer = "ACME";
        unknownVendorSeq.dcm2niixBvecOff = UNKNOWN_VENDOR_SEQUENCE;
        c.add(unknownVendorSeq);

        Spec fmri = new Spec("fmri_oblique_tpi");
        fmri.iop = iop(mul(rx(-25), rz(10)));
        fmri.nt = 5;
        fmri.nz = 5;
        fmri.spacing = new double[] {3, 3};
        fmri.temporalPositions = true;
        fmri.numberAgainstNormal = true;
        c.add(fmri);

        Spec ctu = new Spec("ct_u12_rescale_1_-1024");
        ctu.modality = "CT";
        ctu.bitsStored = 12;
        ctu.slope = 1.0;
        ctu.intercept = -1024.0;
        ctu.spacing = new double[] {0.7, 0.7};
        ctu.pixel = (t, z, r, c2) -> (z * 997 + r * 131 + c2 * 17) % 4096;
        c.add(ctu);

        Spec cts = new Spec("ct_s16_rescale_1_-1024");
        cts.modality = "CT";
        cts.signed = true;
        cts.slope = 1.0;
        cts.intercept = -1024.0;
        cts.pixel = (t, z, r, c2) -> -2048 + (z * 997 + r * 131 + c2 * 17) % 6000;
        c.add(cts);

        Spec ctHalf = new Spec("ct_u16_slope_0.5_-1024");
        ctHalf.modality = "CT";
        ctHalf.slope = 0.5;
        ctHalf.intercept = -1024.0;
        ctHalf.pixel = (t, z, r, c2) -> (z * 12_007 + r * 1_301 + c2 * 97) % 65_536;
        c.add(ctHalf);

        Spec ctVar = new Spec("ct_s16_intercept_per_slice");
        ctVar.modality = "CT";
        ctVar.signed = true;
        ctVar.slope = 1.0;
        ctVar.interceptPerSlice = new double[] {-1024, -1000, -1024, -900};
        ctVar.pixel = (t, z, r, c2) -> -1000 + (z * 997 + r * 131 + c2 * 17) % 4000;
        c.add(ctVar);

        Spec mrs = new Spec("mr_s16");
        mrs.signed = true;
        mrs.pixel = (t, z, r, c2) -> -32_768 + (z * 16_411 + r * 1_201 + c2 * 67) % 65_536;
        c.add(mrs);

        Spec mr12 = new Spec("mr_u12_in_16");
        mr12.bitsStored = 12;
        mr12.pixel = (t, z, r, c2) -> (z * 1_009 + r * 257 + c2 * 13) % 4096;
        c.add(mr12);

        Spec ns2 = new Spec("mr_2d_nonsquare_20x28_0.7x1.1");
        ns2.rows = 20;
        ns2.columns = 28;
        ns2.spacing = new double[] {0.7, 1.1};
        ns2.iop = iop(mul(ry(-12), rx(8)));
        c.add(ns2);

        Spec ns3 = new Spec("mr_3d_sagittal_nonsquare_20x28_0.7x1.1");
        ns3.acquisitionType = "3D";
        ns3.rows = 20;
        ns3.columns = 28;
        ns3.nz = 6;
        ns3.spacing = new double[] {0.7, 1.1};
        ns3.thickness = 1.3;
        ns3.iop = SAGITTAL;
        c.add(ns3);
        return c.stream();
    }

    /** Writes the series: reverse order (last volume, last slice first), shuffled file names. */
    static List<Path> write(Spec s, Path folder) throws Exception {
        Files.createDirectories(folder);
        String seriesUid = TestDicom.uid();
        double[] normal = Vec.normalize(Vec.cross(Vec.row(s.iop), Vec.col(s.iop)));
        Random rnd = new Random(s.name.hashCode());
        List<Path> files = new ArrayList<>();
        for (int t = s.nt - 1; t >= 0; t--) {
            for (int z = s.nz - 1; z >= 0; z--) {
                final int tt = t, zz = z;
                TestDicom.Slice d = new TestDicom.Slice();
                d.seriesUid = seriesUid;
                d.seriesNumber = 7;
                d.description = s.name;
                d.modality = s.modality;
                d.rows = s.rows;
                d.columns = s.columns;
                d.iop = s.iop;
                d.ipp = Vec.add(s.origin, Vec.scale(normal, z * s.thickness));
                d.spacing = s.spacing;
                d.thickness = s.thickness;
                d.bitsStored = s.bitsStored;
                d.signed = s.signed;
                d.slope = s.slope;
                d.intercept = s.interceptPerSlice != null ? Double.valueOf(s.interceptPerSlice[z]) : s.intercept;
                d.acquisitionType = s.acquisitionType;
                d.instanceNumber = t * s.nz + (s.numberAgainstNormal ? s.nz - 1 - z : z) + 1;
                d.temporalPosition = s.temporalPositions ? t + 1 : null;
                d.pixel = (r, c) -> s.pixel.value(tt, zz, r, c);
                if (s.bValues != null && !s.diffusionInSequence) {
                    d.bValue = s.bValues[t];
                    d.gradient = s.gradients[t];
                }
                AttributeList l = d.list();
                TestDicom.put(l, TestDicom.kw("FlipAngle"), "77");
                TestDicom.put(l, TagFromName.Manufacturer, s.manufacturer);
                if (s.modality.equals("CT")) {
                    TestDicom.put(l, TestDicom.kw("KVP"), "120");
                    l.remove(TagFromName.EchoTime);
                    l.remove(TagFromName.RepetitionTime);
                    l.remove(TestDicom.kw("FlipAngle"));
                }
                if (s.bValues != null && s.diffusionInSequence) {
                    AttributeList item = new AttributeList();
                    TestDicom.put(item, TestDicom.kw("DiffusionBValue"), TestDicom.ds(s.bValues[t]));
                    TestDicom.put(item, TestDicom.kw("DiffusionDirectionality"), s.gradients[t] == null ? "NONE" : "DIRECTIONAL");
                    if (s.gradients[t] != null) {
                        AttributeList g = new AttributeList();
                        double[] v = s.gradients[t];
                        TestDicom.put(g, TestDicom.kw("DiffusionGradientOrientation"), TestDicom.ds(v[0]), TestDicom.ds(v[1]),
                                TestDicom.ds(v[2]));
                        item.put(TestDicom.seq(TestDicom.kw("DiffusionGradientDirectionSequence"), g));
                    }
                    l.put(TestDicom.seq(TestDicom.kw("MRDiffusionSequence"), item));
                }
                FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ExplicitVRLittleEndian, "MEDLAKE");
                Path f = folder.resolve(String.format(Locale.ROOT, "%08x", rnd.nextInt()) + ".dcm");
                l.write(f.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
                files.add(f);
            }
        }
        return files;
    }

    // ---------------------------------------------------------------- dcm2niix

    @BeforeAll
    static void findDcm2niix() throws Exception {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, "dcm2niix"))) {
                dcm2niix = Path.of(d, "dcm2niix").toString();
                return;
            }
        }
        Path script = repoRoot().resolve("infra/bin/ensure-packages");
        String out;
        int exit;
        try {
            Process p = new ProcessBuilder(script.toString(), "dcm2niix").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            exit = p.waitFor(10, TimeUnit.MINUTES) ? p.exitValue() : -1;
        } catch (IOException e) {
            out = e.toString();
            exit = -1;
        }
        Assumptions.assumeTrue(exit == 0 && Files.isExecutable(Path.of("/usr/bin/dcm2niix")),
                "dcm2niix is absent and could not be installed (" + out.strip() + ")");
        dcm2niix = "/usr/bin/dcm2niix";
    }

    static Path repoRoot() {
        String prop = System.getProperty("medlake.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("infra/bin/ensure-packages"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("..").toAbsolutePath() : p;
    }

    /** dcm2niix's output folder, after running it on {@code in}. */
    static String runDcm2niix(Path in, Path out) throws Exception {
        Files.createDirectories(out);
        Process p = new ProcessBuilder(dcm2niix, "-b", "y", "-z", "n", "-f", "%s", "-o", out.toString(), in.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("dcm2niix finished").isTrue();
        return "exit " + p.exitValue() + "\n" + log;
    }

    // ---------------------------------------------------------------- the comparison

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDcm2niix(Spec spec) throws Exception {
        Path dir = WORK.resolve(spec.name).toAbsolutePath();
        deleteTree(dir);
        Path in = dir.resolve("dicom");
        List<Path> files = write(spec, in);
        Path refDir = dir.resolve("dcm2niix");
        String log = runDcm2niix(in, refDir);
        List<Path> refNii;
        try (Stream<Path> s = Files.list(refDir)) {
            refNii = s.filter(p -> p.toString().endsWith(".nii")).sorted().toList();
        }
        List<NiftiResult> results;
        try {
            results = NiftiConverter.convertSeries(files);
        } catch (NiftiException e) {
            ROWS.add(failedRow(spec, "medlake failed: " + e.code()));
            throw e;
        }
        if (refNii.size() != 1 || results.size() != 1) {
            ROWS.add(failedRow(spec, "outputs: medlake " + results.size() + ", dcm2niix " + refNii.size()));
        }
        assertThat(refNii).as("dcm2niix outputs; its log:\n" + log).hasSize(1);
        assertThat(results).as("medlake outputs").hasSize(1);
        NiftiResult r = results.get(0);
        Path mine = r.writeTo(dir.resolve("medlake"), "m", false).get(0);
        NiftiReader.Image got = NiftiReader.read(mine);
        NiftiReader.Image exp = NiftiReader.read(refNii.get(0));
        String base = refNii.get(0).getFileName().toString().replaceFirst("\\.nii$", "");
        NiftiHeader gh = got.header(), eh = exp.header();

        boolean dimsOk = Arrays.equals(gh.dim(), eh.dim());
        String dims = Arrays.toString(gh.dim()).replace(" ", "") + (dimsOk ? " ok" : " vs " + Arrays.toString(eh.dim()).replace(" ", ""));
        long bad = -1;
        double maxVoxelDiff = Double.NaN;
        if (dimsOk) {
            bad = 0;
            maxVoxelDiff = 0;
            for (int i = 0; i < exp.values().length; i++) {
                double d = Math.abs(got.values()[i] - exp.values()[i]);
                maxVoxelDiff = Math.max(maxVoxelDiff, d);
                if (d > 1e-5 * Math.max(1, Math.abs(exp.values()[i]))) {
                    bad++;
                }
            }
        }
        String voxels = bad < 0 ? "-" : bad == 0 ? "ok" : bad + " differ (max " + String.format(Locale.ROOT, "%.4g", maxVoxelDiff) + ")";
        boolean typeOk = gh.datatype() == eh.datatype() && close(gh.sclSlope(), eh.sclSlope(), 1e-6)
                && close(gh.sclInter(), eh.sclInter(), 1e-6);
        String type = typeName(gh) + (typeOk ? " ok" : " vs " + typeName(eh));

        double sformDiff = 0;
        double[][] a = gh.srow(), b = eh.srow();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                sformDiff = Math.max(sformDiff, Math.abs(a[i][j] - b[i][j]));
            }
        }
        double qDiff = qformDiff(gh, eh);
        boolean qformOk = gh.qformCode() == eh.qformCode() && gh.sformCode() == eh.sformCode() && gh.qfac() == eh.qfac()
                && qDiff <= 1e-3;
        double[] qa = gh.quatern(), qb = eh.quatern();
        double same = 0, negated = 0;
        for (int i = 0; i < 6; i++) {
            same = Math.max(same, Math.abs(qa[i] - qb[i]));
            negated = Math.max(negated, Math.abs(i < 3 ? qa[i] + qb[i] : qa[i] - qb[i]));
        }
        String quatern = same <= 1e-4 ? "quatern equal" : negated <= 1e-4 ? "quatern b,c,d negated (same rotation)"
                : "quatern differs";
        String qform = "code " + gh.qformCode() + "/" + eh.qformCode() + ", qfac " + (int) gh.qfac() + "/" + (int) eh.qfac()
                + ", " + quatern + ", " + String.format(Locale.ROOT, "%.1e", qDiff);

        Path refBval = refDir.resolve(base + ".bval"), refBvec = refDir.resolve(base + ".bvec");
        String bvals;
        String deviation = null;
        boolean bOk;
        if (spec.bValues == null) {
            bOk = r.bval() == null && !Files.exists(refBval);
            bvals = bOk ? "none (both)" : "unexpected: medlake " + (r.bval() != null) + ", dcm2niix " + Files.exists(refBval);
        } else if (!Files.exists(refBval) || !Files.exists(refBvec) || r.bval() == null) {
            bOk = false;
            bvals = "missing: medlake " + (r.bval() != null) + ", dcm2niix " + Files.exists(refBval);
        } else {
            String refVec = Files.readString(refBvec);
            double bvalDiff = numbersDiff(r.bval(), Files.readString(refBval));
            double bvecDiff = numbersDiff(r.bvec(), refVec);
            bOk = bvalDiff <= 1e-4 && bvecDiff <= 1e-4;
            bvals = bOk ? "ok" : "bval " + fmtDiff(bvalDiff) + ", bvec " + fmtDiff(bvecDiff)
                    + " (medlake " + r.bvec().replace("\n", " | ") + "; dcm2niix " + refVec.replace("\n", " | ") + ")";
            if (!bOk && spec.dcm2niixBvecOff != null && bvalDiff <= 1e-4 && numbersDiff(refVec, zeros(r.bvec())) == 0) {
                // dcm2niix's known fault (all vectors zero): compare with its output for the same series written with
                // top-level DiffusionBValue/DiffusionGradientOrientation, which it reads
                Spec topLevel = dwi(spec.name + "_toplevel", spec.iop, false);
                topLevel.manufacturer = spec.manufacturer;
                topLevel.numberAgainstNormal = spec.numberAgainstNormal;
                Path in2 = dir.resolve("dicom_toplevel"), out2 = dir.resolve("dcm2niix_toplevel");
                write(topLevel, in2);
                String log2 = runDcm2niix(in2, out2);
                Path vec2 = out2.resolve(base + ".bvec");
                assertThat(vec2).as("dcm2niix bvec of the top-level variant; log:\n" + log2).exists();
                double d2 = numbersDiff(r.bvec(), Files.readString(vec2));
                deviation = "dcm2niix bvec all 0 (known fault, see docs); medlake bvec vs dcm2niix on the same series "
                        + "with top-level attributes: " + (d2 <= 1e-4 ? "ok" : fmtDiff(d2));
                bvals = deviation;
                bOk = d2 <= 1e-4;
            }
        }

        List<String> sidecarDiffers = sidecarDiffers(r.sidecarJson(), refDir.resolve(base + ".json"));
        String sidecar = (SIDECAR_FIELDS.size() - sidecarDiffers.size()) + "/" + SIDECAR_FIELDS.size()
                + (sidecarDiffers.isEmpty() ? "" : " (differ: " + String.join(", ", sidecarDiffers) + ")");

        boolean pass = dimsOk && bad == 0 && typeOk && sformDiff <= 1e-3 && qformOk && bOk && sidecarDiffers.isEmpty();
        ROWS.add(new String[] {spec.name, dims, voxels, type, String.format(Locale.ROOT, "%.2e", sformDiff), qform, bvals,
                sidecar, !pass ? "DIFFERENT" : deviation == null ? "identical" : "identical except dcm2niix's bvec (dcm2niix off)"});

        String context = spec.name + "\ndcm2niix log:\n" + log + "\nmedlake header " + gh + "\ndcm2niix header " + eh;
        assertThat(gh.dim()).as("dims " + context).containsExactly(eh.dim());
        assertThat(bad).as("voxels differing after scaling " + context).isZero();
        assertThat(typeOk).as("datatype and scl_slope/scl_inter " + context).isTrue();
        assertThat(sformDiff).as("max sform difference (mm) " + context).isLessThanOrEqualTo(1e-3);
        assertThat(qformOk).as("qform (code, qfac, quaternion rotation and offset) " + context).isTrue();
        assertThat(bOk).as("bval/bvec: " + bvals + "\n" + context).isTrue();
        assertThat(sidecarDiffers).as("sidecar fields differing " + context).isEmpty();
    }

    static String[] failedRow(Spec spec, String why) {
        return new String[] {spec.name, "-", "-", "-", "-", "-", "-", "-", "DIFFERENT: " + why};
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /** Largest difference between the qform matrices (rotation × pixdim × qfac, and offsets) the two headers encode. */
    static double qformDiff(NiftiHeader a, NiftiHeader b) {
        double[][] ma = qformMatrix(a), mb = qformMatrix(b);
        double d = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                d = Math.max(d, Math.abs(ma[i][j] - mb[i][j]));
            }
        }
        return d;
    }

    /** nifti_quatern_to_mat44. */
    static double[][] qformMatrix(NiftiHeader h) {
        double[] q = h.quatern();
        double b = q[0], c = q[1], d = q[2];
        double a = 1.0 - (b * b + c * c + d * d);
        if (a < 1e-7) {
            a = 1.0 / Math.sqrt(b * b + c * c + d * d);
            b *= a;
            c *= a;
            d *= a;
            a = 0;
        } else {
            a = Math.sqrt(a);
        }
        double[] p = h.pixdim();
        double xd = p[0], yd = p[1], zd = p[2] * (h.qfac() < 0 ? -1 : 1);
        return new double[][] {
                {(a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd, 2 * (b * d + a * c) * zd, q[3]},
                {2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2 * (c * d - a * b) * zd, q[4]},
                {2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, q[5]}};
    }

    static boolean close(double a, double b, double tol) {
        return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
    }

    static String typeName(NiftiHeader h) {
        String t = switch (h.datatype()) {
            case 2 -> "UINT8";
            case 4 -> "INT16";
            case 8 -> "INT32";
            case 16 -> "FLOAT32";
            case 256 -> "INT8";
            case 512 -> "UINT16";
            case 768 -> "UINT32";
            default -> "type " + h.datatype();
        };
        return t + " scl " + Diffusion.fmt(h.sclSlope()) + "/" + Diffusion.fmt(h.sclInter());
    }

    /** The same number list with every value 0. */
    static String zeros(String numbers) {
        return numbers.trim().replaceAll("[^\\s]+", "0");
    }

    /** Largest absolute difference between two whitespace-separated number lists (infinite when the counts differ). */
    static double numbersDiff(String a, String b) {
        String[] x = a.trim().split("\\s+"), y = b.trim().split("\\s+");
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(Double.parseDouble(x[i]) - Double.parseDouble(y[i])));
        }
        return d;
    }

    static String fmtDiff(double d) {
        return Double.isInfinite(d) ? "count differs" : String.format(Locale.ROOT, "max diff %.2g", d);
    }

    static List<String> sidecarDiffers(String json, Path ref) throws IOException {
        ObjectMapper m = new ObjectMapper();
        JsonNode a = m.readTree(json), e = m.readTree(ref.toFile());
        List<String> differ = new ArrayList<>();
        for (String k : SIDECAR_FIELDS) {
            JsonNode x = a.get(k), y = e.get(k);
            boolean same = x == null || y == null ? x == y
                    : x.isNumber() && y.isNumber() ? close(x.asDouble(), y.asDouble(), 1e-4) : x.asText().equals(y.asText());
            if (!same) {
                differ.add(k + " " + x + " vs " + y);
            }
        }
        return differ;
    }

    @AfterAll
    static void printTable() throws IOException {
        if (ROWS.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder();
        s.append("| case | dims | voxels | datatype, scl_slope/inter | max sform diff (mm) | qform (medlake/dcm2niix; quaternion; max qform matrix diff) "
                + "| bval/bvec | sidecar fields equal | result |\n|---|---|---|---|---|---|---|---|---|\n");
        List<String[]> rows = new ArrayList<>(ROWS);
        for (String[] r : rows) {
            s.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        long same = rows.stream().filter(r -> r[8].equals("identical")).count();
        s.append("\n").append(same).append(" of ").append(rows.size()).append(" synthetic series identical to dcm2niix ")
                .append(dcm2niix == null ? "" : "(" + dcm2niix + ")").append(".\n");
        System.out.println(s);
        Path out = Path.of("target", "dcm2niix-crosscheck.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, s);
    }
}
