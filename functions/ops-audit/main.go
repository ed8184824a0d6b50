// Command ops-audit is the Lambda function of the portal route "ops-audit".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-audit") }
