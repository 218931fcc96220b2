package org.p2pdns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pdns.cli.records.ResourceRecordInput;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

class ResourceRecordInputTest {
  @TempDir
  Path dir;

  private static Name origin() throws CliException {
    return ResourceRecordInput.origin("example.p2p");
  }

  @Test
  void flagsBuildRecordsAtTheNameWithTheTtl() throws Exception {
    List<Record> rrs = ResourceRecordInput.fromFlags(origin(), 300, List.of("192.0.2.1"),
        List.of("2001:db8::1"), List.of("hello"), List.of("10 mail.example.p2p"), null,
        List.of("ns1", "ns.example.com."));

    assertThat(rrs).extracting(Record::toString).containsExactly(
        "example.p2p.\t\t300\tIN\tA\t192.0.2.1",
        "example.p2p.\t\t300\tIN\tAAAA\t2001:db8:0:0:0:0:0:1",
        "example.p2p.\t\t300\tIN\tTXT\t\"hello\"",
        "example.p2p.\t\t300\tIN\tMX\t10 mail.example.p2p.",
        "example.p2p.\t\t300\tIN\tNS\tns1.example.p2p.",
        "example.p2p.\t\t300\tIN\tNS\tns.example.com.");
  }

  @Test
  void hostsWithoutADotAreRelativeToTheNameAndOthersAreTakenAsWritten() throws Exception {
    Name o = origin();
    assertThat(ResourceRecordInput.host("mail", o)).hasToString("mail.example.p2p.");
    assertThat(ResourceRecordInput.host("@", o)).hasToString("example.p2p.");
    assertThat(ResourceRecordInput.host("mail.example.p2p", o)).hasToString("mail.example.p2p.");
    assertThat(ResourceRecordInput.host("mx.example.com.", o)).hasToString("mx.example.com.");
    assertThat(ResourceRecordInput.host("Mail.Bücher.p2p", o))
        .hasToString("mail.xn--bcher-kva.p2p.");
    List<Record> mx = ResourceRecordInput.fromFlags(o, 60, List.of(), List.of(), List.of(),
        List.of("5   mail"), "www", List.of());
    assertThat(((MXRecord) mx.get(0)).getTarget()).hasToString("mail.example.p2p.");
    assertThat(mx.get(1).getType()).isEqualTo(Type.CNAME);
    assertThat(mx.get(1).rdataToString()).isEqualTo("www.example.p2p.");
  }

  @Test
  void longAndNonAsciiTextIsKeptWhole() throws Exception {
    String longText = "x".repeat(600);
    List<Record> rrs = ResourceRecordInput.fromFlags(origin(), 300, List.of(), List.of(),
        List.of(longText, "grüße \"quoted\" \\ back"), List.of(), null, List.of());

    TXTRecord first = (TXTRecord) rrs.get(0);
    assertThat(first.getStringsAsByteArrays()).hasSize(3);
    assertThat(first.getStrings()).containsExactly("x".repeat(255), "x".repeat(255),
        "x".repeat(90));
    TXTRecord second = (TXTRecord) rrs.get(1);
    assertThat(new String(second.getStringsAsByteArrays().get(0),
        java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("grüße \"quoted\" \\ back");
  }

  @Test
  void badFlagValuesAreUsageErrors() {
    assertUsage(() -> ResourceRecordInput.fromFlags(origin(), 300, List.of("300.1.1.1"),
        List.of(), List.of(), List.of(), null, List.of()), "not an IPv4 address");
    assertUsage(() -> ResourceRecordInput.fromFlags(origin(), 300, List.of("example.com"),
        List.of(), List.of(), List.of(), null, List.of()), "not an IPv4 address");
    assertUsage(() -> ResourceRecordInput.fromFlags(origin(), 300, List.of(),
        List.of("192.0.2.1"), List.of(), List.of(), null, List.of()), "not an IPv6 address");
    assertUsage(() -> ResourceRecordInput.fromFlags(origin(), 300, List.of(), List.of(),
        List.of(), List.of("mail"), null, List.of()), "PREFERENCE HOST");
    assertUsage(() -> ResourceRecordInput.fromFlags(origin(), 300, List.of(), List.of(),
        List.of(), List.of("70000 mail"), null, List.of()), "0-65535");
  }

  @Test
  void aZoneFileGivesEveryTypeDnsjavaKnowsWithTheNameAsOrigin() throws Exception {
    Path zone = dir.resolve("example.zone");
    Files.writeString(zone, String.join("\n",
        "; the whole subtree of example.p2p",
        "$TTL 600",
        "@            IN A      192.0.2.1",
        "@            IN AAAA   2001:db8::1",
        "@       3600 IN MX     10 mail",
        "@            IN TXT    \"v=spf1 -all\" \"second string\"",
        "@            IN NS     ns1.example.p2p.",
        "@            IN CAA    0 issue \"letsencrypt.org\"",
        "@            IN SSHFP  4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "@            IN HTTPS  1 . alpn=h2,h3",
        "@            IN LOC    52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
        "@            IN NAPTR  100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.p2p!\" .",
        "@            IN URI    10 1 \"https://example.p2p/\"",
        "www          IN CNAME  @",
        "mail         IN A      192.0.2.25",
        "ns1          IN A      192.0.2.53",
        "_sip._tcp    IN SRV    10 60 5060 sip",
        "_443._tcp    IN TLSA   3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "*.dyn        IN A      192.0.2.99",
        "sub          IN DS     60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
        "old          IN DNAME  example.com.",
        ""));

    List<Record> rrs = ResourceRecordInput.fromZoneFile(zone, origin(), 300);

    Map<String, String> byType = rrs.stream().collect(Collectors.toMap(
        r -> Type.string(r.getType()) + " " + r.getName(), Record::rdataToString));
    assertThat(rrs).hasSize(19);
    assertThat(byType).containsEntry("MX example.p2p.", "10 mail.example.p2p.")
        .containsEntry("CNAME www.example.p2p.", "example.p2p.")
        .containsEntry("SRV _sip._tcp.example.p2p.", "10 60 5060 sip.example.p2p.")
        .containsEntry("A *.dyn.example.p2p.", "192.0.2.99")
        .containsEntry("CAA example.p2p.", "0 issue \"letsencrypt.org\"");
    assertThat(byType.keySet()).contains("TLSA _443._tcp.example.p2p.", "SSHFP example.p2p.",
        "HTTPS example.p2p.", "LOC example.p2p.", "NAPTR example.p2p.", "URI example.p2p.",
        "DS sub.example.p2p.", "DNAME old.example.p2p.", "NS example.p2p.");
    assertThat(rrs).filteredOn(r -> r.getType() == Type.MX).first()
        .satisfies(r -> assertThat(r.getTTL()).isEqualTo(3600));
    assertThat(rrs).filteredOn(r -> r.getType() == Type.A).allSatisfy(
        r -> assertThat(r.getTTL()).isEqualTo(600));
  }

  @Test
  void withoutTtlDirectiveTheFlagTtlIsTheDefault() throws Exception {
    Path zone = dir.resolve("z");
    Files.writeString(zone, "www IN A 192.0.2.7\n");
    assertThat(ResourceRecordInput.fromZoneFile(zone, origin(), 123)).singleElement()
        .satisfies(r -> assertThat(r.getTTL()).isEqualTo(123));
  }

  @Test
  void zoneFileErrorsNameTheFileAndLine() throws Exception {
    Path zone = dir.resolve("broken.zone");
    Files.writeString(zone, "www IN A 192.0.2.1\nmail IN A not-an-address\n");
    CliException e = catchThrowableOfType(CliException.class,
        () -> ResourceRecordInput.fromZoneFile(zone, origin(), 300));
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(e.getMessage()).contains("broken.zone").contains("2");

    Path chaos = dir.resolve("chaos.zone");
    Files.writeString(chaos, "www CH TXT \"x\"\n");
    assertUsage(() -> ResourceRecordInput.fromZoneFile(chaos, origin(), 300), "class IN");
    assertUsage(() -> ResourceRecordInput.fromZoneFile(dir.resolve("missing"), origin(), 300),
        "does not exist");
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertUsage(Call call, String message) {
    CliException e = catchThrowableOfType(CliException.class, call::run);
    assertThat(e).as("expected a usage error containing '%s'", message).isNotNull();
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(e.getMessage()).contains(message);
  }
}
