using ClipGuard.Stream.Lab.Calibration;

namespace ClipGuard.Stream.Lab.Tests.Calibration;

public sealed class BudgetTableTests
{
    [Fact]
    public void EachSizeGetsItsMarginalSpreadAndItsConfidentCut()
    {
        string table = BudgetTable.Markdown(0.001, 2, 0.9, [1000, 2048, 8192]);
        string[] rows = [.. table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2]))];
        Assert.Equal(3, rows.Length);

        // 1,000 scores cannot reach 0.5 ‰ per signal at all (1 / 1,001 > 0.0005).
        Assert.StartsWith("| 1,000 | 0 | — | nothing quarantined | 0 | 0 | 0 (nothing quarantined) |", rows[0], StringComparison.Ordinal);

        // 2,048: rank 1 of the marginal rule, exceeded in (1 − 0.0005)^2048 = 36 % of deployments; no confident cut.
        string[] cells = Cells(rows[1]);
        Assert.Equal("2,048", cells[0]);
        Assert.Equal("1", cells[1]);
        Assert.Equal("0.359", cells[2]);
        Assert.Equal("0", cells[5]);

        // 8,192: a confident cut at rank 1, p ≤ 1 / 8,193, a fused mean rate at most 2 / 8,193.
        cells = Cells(rows[2]);
        Assert.Equal("4", cells[1]);
        Assert.Equal("1", cells[5]);
        Assert.Equal("0.00012", cells[6]);
        Assert.Equal("0.244", cells[8]);
        Assert.Contains("5,990", table, StringComparison.Ordinal);
    }

    private static string[] Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(c => c.Trim())];
}
