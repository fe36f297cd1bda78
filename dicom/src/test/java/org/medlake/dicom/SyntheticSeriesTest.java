package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSeriesTest {
    @TempDir
    Path dir;

    @Test
    void demoSetHasOneCtAndTwoMrPerPatientWithUniqueUids() {
        SyntheticSeries.DemoSet set = SyntheticSeries.writeDemoSet(dir, 2);
        assertThat(set.series()).hasSize(6);
        assertThat(set.series()).extracting(SyntheticSeries.Written::modality).containsExactly("CT", "MR", "MR", "CT", "MR", "MR");
        assertThat(set.instanceCount()).isEqualTo(2 * (20 + 16 + 20));
        Set<String> sops = new HashSet<>();
        for (SyntheticSeries.Written w : set.series()) {
            sops.addAll(w.sopInstanceUids());
            assertThat(w.files()).allMatch(Files::isRegularFile);
        }
        assertThat(sops).hasSize(set.instanceCount());
        // the two MR series of a patient share one study, the CT has its own
        assertThat(set.series().get(1).studyInstanceUid()).isEqualTo(set.series().get(2).studyInstanceUid())
                .isNotEqualTo(set.series().get(0).studyInstanceUid());
        InstanceHeader t1 = DicomReader.read(set.series().get(4).files().get(0));
        assertThat(t1.patientId()).isEqualTo("DEMO-002");
        assertThat(t1.patientSex()).isEqualTo("M");
        assertThat(t1.bodyPartExamined()).isEqualTo("BRAIN");
        assertThat(t1.manufacturer()).isEqualTo("GE MEDICAL SYSTEMS");
    }

    @Test
    void generateMainWritesTheDemoSetAndRejectsBadArguments() {
        assertThat(GenerateMain.run(new String[] {"--out", dir.toString(), "--patients", "1"})).isZero();
        assertThat(dir.resolve("DEMO-001/2_CT/IM0001.dcm")).isRegularFile();
        assertThat(GenerateMain.run(new String[] {"--patients", "x"})).isEqualTo(2);
        assertThat(GenerateMain.run(new String[] {})).isEqualTo(2);
    }
}
