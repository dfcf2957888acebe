package io.shopplug.bench.storm;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws a storm's timeline as a PNG with Java2D (headless): requests per second, the p50 and p99
 * latency of each second (log scale), and the CPU of the shop, the driver, the database server and
 * the whole machine with the outbox backlog, over the storm and the drain that follows it.
 */
final class StormChart {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1100;
    private static final int LEFT = 90;
    private static final int RIGHT = 90;
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color TARGET = new Color(200, 40, 40);
    private static final Stroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
            new float[] {8, 6}, 0);

    private StormChart() {}

    static void write(StormReport report, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
            g.drawString("Notify storm on " + report.options().db().value() + " - checks "
                    + (report.passed() ? "PASS" : "FAIL"), LEFT, 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(report.headline(), LEFT, 56);
            g.drawString(report.options().summary(), LEFT, 76);
            List<StormReport.Second> rows = report.timeline();
            // Throughput and latency over the storm itself; CPU and the outbox over the drain too.
            int storm = Math.max(1, Math.min(report.stormSeconds(), rows.size()));
            List<StormReport.Second> stormRows = rows.subList(0, storm);
            int seconds = Math.max(1, rows.size());
            int top = 110;
            int panel = 270;
            int gap = 70;
            throughput(g, report, stormRows, storm, top, panel);
            latency(g, report, stormRows, storm, top + panel + gap, panel);
            resources(g, report, rows, seconds, top + 2 * (panel + gap), panel);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void throughput(Graphics2D g, StormReport report, List<StormReport.Second> rows, int seconds,
            int top, int height) {
        double maxRate = 5500;
        for (StormReport.Second s : rows) {
            maxRate = Math.max(maxRate, s.requests());
        }
        double yMax = niceCeiling(maxRate * 1.05);
        frame(g, "Requests answered per second, over the storm", "requests / s", top, height, seconds, report, yMax,
                false, false);
        int width = WIDTH - LEFT - RIGHT;
        for (StormReport.Second s : rows) {
            int x0 = LEFT + (int) Math.round(s.second() * width / (double) seconds);
            int x1 = LEFT + (int) Math.round((s.second() + 1) * width / (double) seconds);
            int w = Math.max(1, x1 - x0 - (x1 - x0 > 6 ? 1 : 0));
            int hAll = (int) Math.round(s.requests() / yMax * height);
            int hAck = (int) Math.round(s.acknowledged() / yMax * height);
            g.setColor(new Color(150, 185, 225));
            g.fillRect(x0, top + height - hAll, w, hAll);
            g.setColor(new Color(40, 100, 170));
            g.fillRect(x0, top + height - hAck, w, hAck);
        }
        horizontal(g, top, height, 5000 / yMax, "target 5,000 / s");
        legend(g, top, new String[] {"acknowledged (2xx)", "refused or told to retry"},
                new Color[] {new Color(40, 100, 170), new Color(150, 185, 225)});
    }

    private static void latency(Graphics2D g, StormReport report, List<StormReport.Second> rows, int seconds,
            int top, int height) {
        double maxMs = 150;
        for (StormReport.Second s : rows) {
            if (!Double.isNaN(s.p99Millis())) {
                maxMs = Math.max(maxMs, s.p99Millis());
            }
        }
        double decades = Math.ceil(Math.log10(maxMs * 1.2)) + 1; // from 0.1 ms
        frame(g, "Acknowledgement latency of the requests answered in each second, over the storm", "ms (log scale)",
                top, height,
                seconds, report, decades, true, false);
        ToDoubleFunction<Double> y = ms -> (Math.log10(Math.max(0.1, ms)) + 1) / decades;
        line(g, rows, seconds, top, height, s -> s.requests() == 0 ? Double.NaN : y.applyAsDouble(s.p50Millis()),
                new Color(40, 100, 170), 2f);
        line(g, rows, seconds, top, height, s -> s.requests() == 0 ? Double.NaN : y.applyAsDouble(s.p99Millis()),
                new Color(230, 120, 20), 2.5f);
        horizontal(g, top, height, y.applyAsDouble(100.0), "target p99 100 ms");
        legend(g, top, new String[] {"p50 of the second", "p99 of the second"},
                new Color[] {new Color(40, 100, 170), new Color(230, 120, 20)});
    }

    private static void resources(Graphics2D g, StormReport report, List<StormReport.Second> rows, int seconds,
            int top, int height) {
        int cores = Runtime.getRuntime().availableProcessors();
        double yMax = 110.0 * cores;
        frame(g, "CPU (% of one core; " + cores + " = " + 100 * cores + " %), outbox waiting",
                "% of one core", top, height, seconds, report, yMax, false, true);
        long maxWaiting = 10;
        for (StormReport.Second s : rows) {
            maxWaiting = Math.max(maxWaiting, s.outboxWaiting());
        }
        double outboxMax = niceCeiling(maxWaiting * 1.1);
        // The outbox backlog as a grey area on the right axis.
        g.setColor(new Color(215, 215, 215));
        int width = WIDTH - LEFT - RIGHT;
        for (StormReport.Second s : rows) {
            if (s.outboxWaiting() > 0) {
                int x0 = LEFT + (int) Math.round(s.second() * width / (double) seconds);
                int x1 = LEFT + (int) Math.round((s.second() + 1) * width / (double) seconds);
                int h = (int) Math.round(s.outboxWaiting() / outboxMax * height);
                g.fillRect(x0, top + height - h, Math.max(1, x1 - x0), h);
            }
        }
        rightAxis(g, top, height, outboxMax, "outbox entries waiting");
        line(g, rows, seconds, top, height, s -> s.machineCpu() < 0 ? Double.NaN : s.machineCpu() * cores / yMax,
                Color.BLACK, 1.5f);
        line(g, rows, seconds, top, height, s -> s.shopCpu() < 0 ? Double.NaN : s.shopCpu() / yMax,
                new Color(30, 140, 60), 2.5f);
        line(g, rows, seconds, top, height, s -> s.driverCpu() < 0 ? Double.NaN : s.driverCpu() / yMax,
                new Color(150, 80, 180), 1.5f);
        line(g, rows, seconds, top, height, s -> s.dbCpu() < 0 ? Double.NaN : s.dbCpu() / yMax,
                new Color(200, 40, 40), 1.5f);
        legend(g, top, new String[] {"machine", "shop", "driver", "database", "outbox (right axis)"},
                new Color[] {Color.BLACK, new Color(30, 140, 60), new Color(150, 80, 180), new Color(200, 40, 40),
                    new Color(190, 190, 190)});
    }

    /** Panel frame: title, grid, left axis, the x axis in seconds, and the drain shaded. */
    private static void frame(Graphics2D g, String title, String yLabel, int top, int height, int seconds,
            StormReport report, double yMax, boolean logDecades, boolean rightLabelSpace) {
        int width = WIDTH - LEFT - RIGHT;
        int storm = Math.min(report.stormSeconds(), seconds);
        if (storm < seconds) {
            g.setColor(new Color(248, 244, 230));
            int x = LEFT + (int) Math.round(storm * width / (double) seconds);
            g.fillRect(x, top, LEFT + width - x, height);
            g.setColor(new Color(150, 130, 80));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("drain", x + 4, top + 14);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, top - 8);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        if (logDecades) {
            for (int d = 0; d <= (int) yMax; d++) {
                double ms = Math.pow(10, d - 1);
                int y = top + height - (int) Math.round(d / yMax * height);
                gridLine(g, y, width);
                String label = ms < 1 ? "0.1" : String.format(Locale.ROOT, "%,.0f", ms);
                g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
            }
        } else {
            double step = niceCeiling(yMax / 5);
            for (double v = 0; v <= yMax + 1e-9; v += step) {
                int y = top + height - (int) Math.round(v / yMax * height);
                gridLine(g, y, width);
                String label = String.format(Locale.ROOT, "%,.0f", v);
                g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + 4);
            }
        }
        int xStep = Math.max(1, (int) niceCeiling(seconds / 12.0));
        for (int s = 0; s <= seconds; s += xStep) {
            int x = LEFT + (int) Math.round(s * width / (double) seconds);
            g.setColor(GRID);
            g.drawLine(x, top, x, top + height);
            g.setColor(Color.DARK_GRAY);
            String label = Integer.toString(s);
            g.drawString(label, x - fm.stringWidth(label) / 2, top + height + 15);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("seconds since the first request", LEFT + width / 2 - 80, top + height + 30);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + height / 2 + fm.stringWidth(yLabel) / 2), 22);
        rotated.dispose();
        g.setColor(Color.GRAY);
        g.drawRect(LEFT, top, width, height);
    }

    private static void gridLine(Graphics2D g, int y, int width) {
        g.setColor(GRID);
        g.drawLine(LEFT, y, LEFT + width, y);
        g.setColor(Color.DARK_GRAY);
    }

    private static void rightAxis(Graphics2D g, int top, int height, double max, String label) {
        int x = WIDTH - RIGHT;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.GRAY);
        double step = niceCeiling(max / 5);
        for (double v = 0; v <= max + 1e-9; v += step) {
            int y = top + height - (int) Math.round(v / max * height);
            g.drawString(String.format(Locale.ROOT, "%,.0f", v), x + 6, y + 4);
        }
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(Math.PI / 2);
        FontMetrics fm = rotated.getFontMetrics();
        rotated.drawString(label, top + height / 2 - fm.stringWidth(label) / 2, -(WIDTH - 22));
        rotated.dispose();
    }

    private static void line(Graphics2D g, List<StormReport.Second> rows, int seconds, int top, int height,
            ToDoubleFunction<StormReport.Second> fraction, Color color, float width) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        Path2D path = new Path2D.Double();
        boolean drawing = false;
        for (StormReport.Second s : rows) {
            double f = fraction.applyAsDouble(s);
            if (Double.isNaN(f)) {
                drawing = false;
                continue;
            }
            double x = LEFT + (s.second() + 0.5) * plotWidth / seconds;
            double y = top + height - Math.max(0, Math.min(1, f)) * height;
            if (drawing) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                drawing = true;
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(width));
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
    }

    private static void horizontal(Graphics2D g, int top, int height, double fraction, String label) {
        if (fraction < 0 || fraction > 1) {
            return;
        }
        int y = top + height - (int) Math.round(fraction * height);
        g.setColor(TARGET);
        Stroke old = g.getStroke();
        g.setStroke(DASHED);
        g.drawLine(LEFT, y, WIDTH - RIGHT, y);
        g.setStroke(old);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(label, WIDTH - RIGHT - g.getFontMetrics().stringWidth(label) - 6, y - 5);
    }

    private static void legend(Graphics2D g, int top, String[] names, Color[] colors) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int x = WIDTH - RIGHT;
        for (int i = names.length - 1; i >= 0; i--) {
            x -= fm.stringWidth(names[i]) + 30;
            g.setColor(colors[i]);
            g.fillRect(x, top - 18, 14, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(names[i], x + 18, top - 8);
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
