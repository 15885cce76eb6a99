using System.Globalization;
using System.Text;
using System.Xml;
using ModelAudit.Audit.Model;

namespace ModelAudit.Reporting.Text;

/// <summary>junit.xml: one test case per gate; a failed error gate is a failure, a warning is passing with the message in system-out.</summary>
public static class JUnitReport
{
    /// <summary>Writes the XML.</summary>
    public static void Write(Stream stream, AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(report);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var w = XmlWriter.Create(stream, settings);
        int failures = report.Gates.Count(g => g.Status == GateStatus.Fail);
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", "model-audit");
        w.WriteAttributeString("tests", report.Gates.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", "model-audit." + Path.GetFileNameWithoutExtension(report.SpecFile));
        w.WriteAttributeString("tests", report.Gates.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", "0");
        foreach (var g in report.Gates)
        {
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "model-audit.gates");
            w.WriteAttributeString("name", g.Gate.Metric.ToString());
            w.WriteAttributeString("file", report.SpecFile);
            w.WriteAttributeString("line", g.Gate.Mark.Line.ToString(CultureInfo.InvariantCulture));
            if (g.Status == GateStatus.Fail)
            {
                w.WriteStartElement("failure");
                w.WriteAttributeString("message", g.Message);
                w.WriteAttributeString("type", "GateFailed");
                w.WriteString($"{report.SpecFile}({g.Gate.Mark.Line},{g.Gate.Mark.Column}): {g.Message}");
                w.WriteEndElement();
            }
            else
            {
                w.WriteElementString("system-out", (g.Status == GateStatus.Warn ? "warning: " : "") + g.Message);
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }
}
