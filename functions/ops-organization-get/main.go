// Command ops-organization-get is the Lambda function of the portal route "ops-organization-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-organization-get") }
