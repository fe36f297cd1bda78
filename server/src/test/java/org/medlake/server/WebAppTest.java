package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebAppTest {
    @TempDir
    Path tmp;

    @Test
    void cspAllowsOnlySelfAndTheIssuerOrigin() {
        String csp = WebApp.contentSecurityPolicy("https://sso.example.org:8443/realms/medlake");
        assertThat(csp).contains("connect-src 'self' https://sso.example.org:8443;")
                .contains("frame-src 'self' https://sso.example.org:8443;")
                .contains("script-src 'self';").contains("object-src 'none'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe").doesNotContain("/realms");
        assertThat(WebApp.contentSecurityPolicy("http://127.0.0.1/realms/medlake")).contains("connect-src 'self' http://127.0.0.1;");
    }

    @Test
    void apiPathsAreNeverTheApps() {
        assertThat(WebApp.isApi("/api")).isTrue();
        assertThat(WebApp.isApi("/api/v1/me")).isTrue();
        assertThat(WebApp.isApi("/apiary")).isFalse();
        assertThat(WebApp.isApi("/")).isFalse();
        assertThat(ApiServer.isPublic("/api/v1/config")).isTrue();
        assertThat(ApiServer.isPublic("/api/v1/me")).isFalse();
        assertThat(ApiServer.isPublic("/cohorts")).isTrue();
    }

    @Test
    void aFolderWithoutIndexHtmlIsNotBuilt() throws Exception {
        ServerConfig config = new ServerConfig(tmp, "127.0.0.1", 0, "http://127.0.0.1:9200", "http://127.0.0.1:8180/realms/medlake");
        assertThat(WebApp.of(config.withWebRoot(tmp.resolve("missing"))).available()).isFalse();
        Files.writeString(tmp.resolve("index.html"), "<!doctype html>");
        assertThat(WebApp.of(config.withWebRoot(tmp)).available()).isTrue();
    }

    @Test
    void webRootComesFromTheEnvironment() {
        ServerConfig c = ServerConfig.fromEnv(Map.of("MEDLAKE_WEB_ROOT", "/srv/medlake-web"), tmp, 0, null, null);
        assertThat(c.webRoot()).isEqualTo(Path.of("/srv/medlake-web"));
        assertThat(ServerConfig.fromEnv(Map.of(), tmp, 0, null, null).webRoot()).isNull();
    }

    @Test
    void pagingPages() {
        List<Integer> items = List.of(1, 2, 3, 4, 5);
        assertThat(new Paging(2, 0).page(items)).containsExactly(1, 2);
        assertThat(new Paging(2, 4).page(items)).containsExactly(5);
        assertThat(new Paging(2, 5).page(items)).isEmpty();
        assertThat(new Paging(1000, Integer.MAX_VALUE - 1).page(items)).isEmpty();
    }
}
