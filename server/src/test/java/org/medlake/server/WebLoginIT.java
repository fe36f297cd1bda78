package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.access.TokenAuthenticator;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.index.SeriesIndex;
import org.medlake.cohort.search.SeriesSearch;
import org.medlake.lake.LakeLayout;
import org.medlake.testkit.KeycloakTestRealm;
import org.medlake.testkit.MedlakeServices;

/**
 * The web app's sign-in against the real Keycloak, done over HTTP the way a browser does it: the public client
 * {@code medlake-web} of {@code infra/keycloak/medlake-realm.json} with the authorization code flow and PKCE S256,
 * a loopback redirect URI on an arbitrary port, and the resulting access token accepted by the server.
 */
class WebLoginIT {
    @TempDir
    static Path lake;

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"",
            Pattern.DOTALL);
    private static final Pattern FORM_ACTION_ANY_ORDER = Pattern.compile("<form[^>]*action=\"([^\"]+)\"[^>]*>", Pattern.DOTALL);

    private static ApiServer server;
    private static SeriesIndex.Names names;
    private static co.elastic.clients.elasticsearch.ElasticsearchClient es;

    @BeforeAll
    static void start() throws Exception {
        WebClientRealm.ensureWebClient();
        String esUrl = MedlakeServices.elasticsearchUrl();
        String issuer = KeycloakTestRealm.issuer();
        names = SeriesIndex.isolated("weblogin-it-" + UUID.randomUUID().toString().substring(0, 8));
        es = SeriesIndex.connect(esUrl);
        server = new ApiServer(new ServerConfig(lake, "127.0.0.1", 0, esUrl, issuer), new TokenAuthenticator(issuer),
                new SeriesSearch(es, esUrl, names), new InstanceCatalog(LakeLayout.at(lake), new DeltaTableReader()));
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.stop();
        if (es != null) SeriesIndex.close(es);
    }

    private static String authEndpoint() {
        return KeycloakTestRealm.issuer() + "/protocol/openid-connect/auth";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String authUrl(String redirectUri, String challenge) {
        return authEndpoint() + "?client_id=medlake-web&response_type=code&scope=openid&state=st-" + UUID.randomUUID()
                + "&redirect_uri=" + enc(redirectUri) + (challenge == null ? "" : "&code_challenge=" + challenge
                + "&code_challenge_method=S256");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String challenge(String verifier) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String verifier() {
        byte[] b = new byte[48];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A browser's cookie jar for one host, enough for Keycloak's login (its cookies are Secure-less on http). */
    private static final class Cookies {
        final Map<String, String> jar = new LinkedHashMap<>();

        void take(HttpResponse<?> r) {
            for (String h : r.headers().allValues("Set-Cookie")) {
                String pair = h.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    jar.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
                }
            }
        }

        String header() {
            StringBuilder sb = new StringBuilder();
            jar.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append('=').append(v));
            return sb.toString();
        }
    }

    private static HttpResponse<String> get(String url, Cookies cookies) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (cookies != null && !cookies.jar.isEmpty()) {
            b.header("Cookie", cookies.header());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (cookies != null) {
            cookies.take(r);
        }
        return r;
    }

    private static HttpResponse<String> postForm(String url, String form, Cookies cookies) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookies != null && !cookies.jar.isEmpty()) {
            b.header("Cookie", cookies.header());
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (cookies != null) {
            cookies.take(r);
        }
        return r;
    }

    private static String formAction(String html) {
        Matcher m = FORM_ACTION.matcher(html);
        if (!m.find()) {
            m = FORM_ACTION_ANY_ORDER.matcher(html);
            assertThat(m.find()).as("login form in:\n" + html).isTrue();
        }
        return m.group(1).replace("&amp;", "&");
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String q = uri.getRawQuery();
        if (q != null) {
            for (String p : q.split("&")) {
                int eq = p.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Signs in as {@code user} with the code flow; returns the redirect's query (code, state, ...). */
    private static Map<String, String> signIn(String user, String redirectUri, String challenge) throws Exception {
        Cookies cookies = new Cookies();
        HttpResponse<String> page = get(authUrl(redirectUri, challenge), cookies);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"username\"").contains("id=\"password\"").contains("id=\"kc-login\"");
        HttpResponse<String> login = postForm(formAction(page.body()), "username=" + enc(user) + "&password=" + enc(user)
                + "&credentialId=", cookies);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        URI location = URI.create(login.headers().firstValue("Location").orElseThrow());
        assertThat(location.getScheme() + "://" + location.getAuthority() + location.getPath()).isEqualTo(redirectUri);
        return query(location);
    }

    private static HttpResponse<String> exchange(String code, String redirectUri, String verifier) throws Exception {
        return postForm(KeycloakTestRealm.tokenEndpoint(), "grant_type=authorization_code&client_id=medlake-web&code="
                + enc(code) + "&redirect_uri=" + enc(redirectUri) + (verifier == null ? "" : "&code_verifier=" + enc(verifier)), null);
    }

    private static JsonNode claims(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    @Test
    void loopbackRedirectUrisOnAnyPortAreAcceptedOthersAreNot() throws Exception {
        String challenge = challenge(verifier());
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            String redirect = "http://" + host + ":" + freePort() + "/";
            HttpResponse<String> page = get(authUrl(redirect, challenge), new Cookies());
            assertThat(page.statusCode()).as(redirect + ": " + page.body()).isEqualTo(200);
            assertThat(page.body()).contains("id=\"kc-login\"").doesNotContain("Invalid parameter");
        }
        for (String bad : new String[] {"http://evil.example:8080/", "https://127.0.0.1.evil.example/", "http://10.0.0.1:8080/"}) {
            HttpResponse<String> page = get(authUrl(bad, challenge), new Cookies());
            assertThat(page.statusCode()).as(bad).isEqualTo(400);
            assertThat(page.body()).as(bad).contains("Invalid parameter: redirect_uri");
        }
        // PKCE is required: without a challenge Keycloak sends the browser back with invalid_request
        String redirect = "http://127.0.0.1:" + freePort() + "/";
        HttpResponse<String> noPkce = get(authUrl(redirect, null), new Cookies());
        assertThat(noPkce.statusCode()).isEqualTo(302);
        Map<String, String> error = query(URI.create(noPkce.headers().firstValue("Location").orElseThrow()));
        assertThat(error.get("error")).isEqualTo("invalid_request");
        assertThat(error.get("error_description")).contains("code_challenge");
        // no password grant for the browser client
        HttpResponse<String> password = postForm(KeycloakTestRealm.tokenEndpoint(),
                "grant_type=password&client_id=medlake-web&username=alice&password=alice", null);
        assertThat(password.statusCode()).isIn(400, 401);
        assertThat(password.body()).contains("unauthorized_client");
    }

    @Test
    void authorizationCodeWithPkceGivesATokenTheServerAccepts() throws Exception {
        String redirect = "http://127.0.0.1:" + freePort() + "/";
        String verifier = verifier();
        Map<String, String> back = signIn("alice", redirect, challenge(verifier));
        assertThat(back.get("iss")).isEqualTo(KeycloakTestRealm.issuer());
        String code = back.get("code");
        assertThat(code).isNotBlank();

        HttpResponse<String> token = exchange(code, redirect, verifier);
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        JsonNode t = JSON.readTree(token.body());
        String access = t.get("access_token").asText();
        JsonNode c = claims(access);
        assertThat(c.get("azp").asText()).isEqualTo("medlake-web");
        assertThat(c.get("aud").toString()).contains("medlake-api");
        assertThat(c.get("groups").toString()).contains("/projects/demo/editor");
        assertThat(t.get("refresh_token").asText()).isNotBlank();

        HttpResponse<String> me = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/me"))
                .header("Authorization", "Bearer " + access).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(me.body());
        assertThat(body.get("username").asText()).isEqualTo("alice");
        assertThat(body.get("platform_admin").asBoolean()).isFalse();
        assertThat(body.get("projects").toString()).isEqualTo("[{\"project\":\"demo\",\"role\":\"editor\"}]");

        // the refresh grant works for the public client too (the app renews its token without a new sign-in)
        HttpResponse<String> refreshed = postForm(KeycloakTestRealm.tokenEndpoint(), "grant_type=refresh_token&client_id="
                + "medlake-web&refresh_token=" + enc(t.get("refresh_token").asText()), null);
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        // a code is good once (and replaying it makes Keycloak revoke what it gave for it)
        assertThat(exchange(code, redirect, verifier).statusCode()).isEqualTo(400);
    }

    @Test
    void theCodeNeedsTheRightVerifier() throws Exception {
        String redirect = "http://localhost:" + freePort() + "/";
        String verifier = verifier();
        Map<String, String> back = signIn("admin", redirect, challenge(verifier));
        HttpResponse<String> wrong = exchange(back.get("code"), redirect, verifier());
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("invalid_grant");
        Map<String, String> again = signIn("admin", redirect, challenge(verifier));
        assertThat(exchange(again.get("code"), redirect, null).body()).contains("invalid_grant");
    }

    @Test
    void theBrowserMayCallTheTokenEndpointFromALoopbackOriginOnAnyPort() throws Exception {
        String origin = "http://127.0.0.1:" + freePort();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(KeycloakTestRealm.tokenEndpoint()))
                .header("Origin", origin).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=medlake-web&code=x"
                        + "&redirect_uri=" + enc(origin + "/") + "&code_verifier=y")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
    }
}
